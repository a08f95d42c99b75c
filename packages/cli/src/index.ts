// Programmatic entry points of the shipgraph CLI package.
export { main } from './main.js';
export { planFromRepository, openCheckout } from './planning/load.js';
export type { Io } from './commands/io.js';
