// `shipgraph destroy`: removes a stage's services in reverse dependency order and forgets them.
import { createInterface } from 'node:readline/promises';
import { join } from 'node:path';
import {
  buildGraph,
  inDependencyOrder,
  resolveServiceName,
  servicesOf,
  ShipgraphError,
  type Graph,
  type PackageName,
  type StageState,
} from '@shipgraph/core';
import { deleteStack } from '../deploy/deployers/cloudformation.js';
import { deployerFor, NotStarted, startUnlessInterrupted } from '../deploy/deployer.js';
import { openStepLog } from '../deploy/step-log.js';
import { prepareRun, type Checkout } from '../planning/load.js';
import type { Stage } from '../config/stage.js';
import type { StateStore } from '../state/store.js';
import { nameList } from '../planning/options.js';
import { serviceSettings } from '../stacks/services.js';
import type { Io } from './io.js';
import { openStageRun } from './stage-run.js';

export interface DestroyFlags {
  stage?: string | undefined;
  only?: string[] | undefined;
  yes: boolean;
  force: boolean;
  orphans: boolean;
  lockTimeout: number;
  /** Whether a person can answer a question (stdin is a terminal). */
  interactive: boolean;
}

export async function destroyCommand(flags: DestroyFlags, io: Io, ask = askOnTerminal): Promise<number> {
  const log = (line: string) => {
    io.stderr(`${line}\n`);
  };
  const { checkout, stage, store } = await prepareRun(io.cwd, { stage: flags.stage }, io.env);
  if (stage.protected && !flags.force) {
    throw new ShipgraphError(
      'E_PROTECTED',
      `stage ${stage.name} is protected; shipgraph destroy leaves it alone`,
      {
        hint: 'pass --force if you really mean to remove it',
      },
    );
  }
  const run = await openStageRun({
    store,
    stage: stage.name,
    services: null,
    timeoutMs: flags.lockTimeout * 1000,
    env: io.env,
    log,
  });
  try {
    const state = await store.read(stage.name);
    const present = servicesOf(checkout.workspace);
    const only =
      flags.only === undefined
        ? null
        : new Set(nameList(flags.only).map((name) => resolveServiceName(name, present)));
    const removal = removalOf(checkout, state, { only, orphans: flags.orphans });
    if (removal.targets.length === 0 && removal.orphans.length === 0) {
      log(`nothing recorded to remove in stage ${stage.name}`);
      return 0;
    }
    const list = [...removal.orphans.map((name) => `${name} (orphan)`), ...removal.targets].join(', ');
    if (!flags.yes) {
      if (!flags.interactive) {
        throw new ShipgraphError(
          'E_USAGE',
          `destroy would remove ${list} from stage ${stage.name}; it needs --yes when no one can confirm`,
          {
            hint: 'pass --yes (in CI) or run it in a terminal',
          },
        );
      }
      if (!(await ask(`Remove ${list} from stage ${stage.name}? [y/N] `))) {
        log('nothing removed');
        return 1;
      }
    }
    const results = await removeServices({
      checkout,
      stage,
      store,
      state,
      removal,
      log,
      signal: run.signal,
      children: run.children,
    });
    for (const result of results) io.stdout(`${describeRemoval(result)}\n`);
    return run.interruptedExit() ?? (results.some((result) => result.status !== 'removed') ? 1 : 0);
  } finally {
    await run.release();
  }
}

/** What a removal takes away: services dependents first, and recorded services no longer in the workspace. */
export interface Removal {
  targets: PackageName[];
  orphans: PackageName[];
  graph: Graph;
}

export function removalOf(
  checkout: Checkout,
  state: StageState,
  scope: { only: ReadonlySet<PackageName> | null; orphans: boolean },
): Removal {
  const graph = buildGraph(checkout.workspace);
  return {
    graph,
    // Dependents first: a service goes before anything it depends on.
    targets: inDependencyOrder(
      graph,
      servicesOf(checkout.workspace)
        .map((service) => service.name)
        .filter((name) => name in state.services && (scope.only === null || scope.only.has(name))),
      true,
    ),
    orphans: scope.orphans
      ? Object.keys(state.services)
          .filter((name) => !graph.packages.has(name))
          .sort()
      : [],
  };
}

export interface RemovalResult {
  service: PackageName;
  status: 'removed' | 'failed' | 'kept';
  detail?: string;
}

export const describeRemoval = (result: RemovalResult): string =>
  `${result.service}  ${result.status}${result.detail === undefined ? '' : `  ${result.detail}`}`;

/** Removes what `removalOf` chose, under the caller's stage lock, forgetting each service once it is gone. */
export async function removeServices(run: {
  checkout: Checkout;
  stage: Stage;
  store: StateStore;
  state: StageState;
  removal: Removal;
  log: (line: string) => void;
  /** A signal stops what has not started; running removals get it and finish. */
  signal: AbortSignal;
  children: Set<(signal: NodeJS.Signals) => void>;
}): Promise<RemovalResult[]> {
  const { checkout, stage, store, state, removal, log, signal, children } = run;
  const settings = await serviceSettings(checkout, stage.name);
  const failed = new Set<PackageName>();
  const results: RemovalResult[] = [];
  const remove = async (name: PackageName, work: (line: (text: string) => void) => Promise<void>) => {
    if (signal.aborted) {
      failed.add(name);
      results.push({ service: name, status: 'kept', detail: new NotStarted(signal).message });
      return;
    }
    const stepLog = await openStepLog(
      checkout.repo.root,
      stage.name,
      `${name}.destroy`,
      `[${name} destroy]`,
      log,
    );
    try {
      await work(stepLog.line);
      await store.forget(stage.name, name);
      results.push({ service: name, status: 'removed' });
    } catch (error) {
      failed.add(name);
      if (error instanceof NotStarted) {
        results.push({ service: name, status: 'kept', detail: error.message });
        return;
      }
      const message = error instanceof Error ? error.message : String(error);
      stepLog.line(`failed: ${message}`);
      results.push({ service: name, status: 'failed', detail: message });
    } finally {
      await stepLog.close();
    }
  };

  for (const name of removal.orphans) {
    const stacks = state.services[name]?.stacks;
    await remove(name, async (line) => {
      if (stacks === undefined) {
        throw new ShipgraphError(
          'E_DEPLOYER',
          `no stack is recorded for orphan ${name}; remove it by hand, then its record`,
        );
      }
      for (const [region, stackName] of Object.entries(stacks)) {
        startUnlessInterrupted(signal);
        await deleteStack(region, stackName, line);
      }
    });
  }
  for (const name of removal.targets) {
    // A service something still needs (its dependent failed to go) stays.
    const neededBy = [...failed].find((other) => (removal.graph.deps.get(other) ?? []).includes(name));
    if (neededBy !== undefined) {
      failed.add(name);
      results.push({
        service: name,
        status: 'kept',
        detail: `${neededBy} could not be removed and depends on it`,
      });
      continue;
    }
    const setting = settings.get(name);
    if (setting === undefined) continue;
    await remove(name, async (line) => {
      const deployer = await deployerFor(setting.deployer);
      for (const region of stage.regions) {
        await deployer.remove({
          service: name,
          dir: join(checkout.repo.root, setting.dir),
          root: checkout.repo.root,
          stage: stage.name,
          region,
          commit: checkout.head,
          stackName: setting.stackName(region),
          env: {
            SHIPGRAPH_STAGE: stage.name,
            SHIPGRAPH_REGION: region,
            SHIPGRAPH_SERVICE: name,
            AWS_REGION: region,
          },
          dependencyOutputs: {},
          log: line,
          track: (kill) => {
            children.add(kill);
            return () => children.delete(kill);
          },
          signal,
        });
      }
    });
  }
  return results;
}

/** isTTY is undefined, not false, when stdin is a pipe or closed, whatever the types say. */
export const stdinIsTerminal = (): boolean => (process.stdin as { isTTY?: boolean }).isTTY === true;

async function askOnTerminal(question: string): Promise<boolean> {
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return /^y(es)?$/i.test((await terminal.question(question)).trim());
  } finally {
    terminal.close();
  }
}
