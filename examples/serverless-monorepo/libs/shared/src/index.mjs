// The helpers the order services share.
export { newOrderId } from './ids.mjs';
export { parseOrderEvent } from './events.mjs';
export { validateOrder } from './orders.mjs';
