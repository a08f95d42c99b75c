// Programmatic entry points of the shipgraph CLI package.
import type { Plan, StageState } from '@shipgraph/core';
import { planRun, type PlanRequest } from './planning/plan-run.js';
import { openRun, type RunContext } from './run/context.js';
import { processIo } from './io.js';

export { main } from './main.js';
export { openCheckout } from './planning/checkout.js';
export type { Io } from './io.js';

/** Plans the repository at `cwd` as `shipgraph plan` would, with the build's environment `env`. */
export async function planFromRepository(
  cwd: string,
  request: Partial<PlanRequest> & { stage?: string; head?: string; all?: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Promise<RunContext & { plan: Plan; state: StageState }> {
  const context = await openRun({ ...processIo(), cwd, env }, { ...request, build: true });
  const state = await context.store.read(context.stage.name);
  const plan = await planRun(context, state, { checkStacks: false, ...request });
  return { ...context, state, plan };
}
