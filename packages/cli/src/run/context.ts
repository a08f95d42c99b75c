// Opens what every command works on: the checkout at its commit, the stage, its state store and the log.
import { StageAccess } from '../aws/access.js';
import { decide, type Decision } from '../config/trigger.js';
import { resolveStage, type Stage } from '../config/stage.js';
import { openCheckout, type Checkout } from '../planning/checkout.js';
import { openStateStore } from '../state/open.js';
import type { StateStore } from '../state/store.js';
import {
  readBuildEnvironment,
  readLocalEnvironment,
  type BuildEnvironment,
} from '../config/build-environment.js';
import type { Reporter } from '../progress/contract.js';
import { lineReporter } from '../progress/registry.js';
import type { Io } from '../io.js';

export interface RunContext {
  io: Io;
  /** Writes one line of progress to stderr (a note to the reporter). */
  log: (line: string) => void;
  /** A warning: shown even with --quiet. */
  warn: (line: string) => void;
  /** Where the steps of the run report what they do. */
  reporter: Reporter;
  checkout: Checkout;
  /** What the build asked for (its commit, trigger, --all). */
  build: BuildEnvironment;
  /** What this build is for; when it deploys nothing, `stage` is still the one a plan compares with. */
  decision: Decision;
  stage: Stage;
  /** How the run reaches AWS in its stage: the stage's role, or the build's own credentials. */
  access: StageAccess;
  store: StateStore;
}

export interface RunRequest {
  stage?: string | undefined;
  /** The commit to work on (default: the build's, else HEAD). */
  head?: string | undefined;
  all?: boolean | undefined;
  /** The ref a plan compares every service with (`--base`): resolved and diffed while the checkout is read. */
  base?: string | undefined;
  /**
   * A build step (plan, deploy, e2e, destroy) reads CodeBuild's variables: they choose the commit
   * and, through the config's triggers, the stage. Other commands work on HEAD.
   */
  build: boolean;
  /** The command's renderer; without one, notes go out as plain lines. */
  reporter?: Reporter | undefined;
}

export async function openRun(io: Io, request: RunRequest): Promise<RunContext> {
  const build = request.build ? readBuildEnvironment(request, io.env) : readLocalEnvironment(request, io.env);
  const checkout = await openCheckout(io.cwd, build.headRef, request.base);
  const decision = decide(checkout.config, build.trigger, build.event, build.explicitStage);
  const stage = resolveStage(checkout.config, decision.stage ?? request.stage, io.env);

  // A command with no steps to show (plan, state) writes its notes as lines, whatever the terminal.
  const reporter = request.reporter ?? lineReporter(io);
  return {
    io,
    log: (line) => {
      reporter.report({ type: 'note', line });
    },
    warn: (line) => {
      reporter.report({ type: 'warning', line });
    },
    reporter,
    checkout,
    build,
    decision,
    stage,
    access: new StageAccess(`stage ${stage.name}`, stage.role, stage.regions[0] ?? 'us-east-1'),
    store: openStateStore(checkout.config.state, checkout.repo.root, io.env),
  };
}
