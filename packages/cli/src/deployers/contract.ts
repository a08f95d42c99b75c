// What every deployer gets and gives back: the contract the adapters in this folder implement.
import type { PackageName } from '@shipgraph/core';
import type { StageAccess } from '../aws/access.js';

export interface DeployContext {
  service: PackageName;
  /** Absolute directory of the service. */
  dir: string;
  /** Absolute repository root. */
  root: string;
  stage: string;
  region: string;
  commit: string;
  /** The stack this deploy creates or updates, when shipgraph knows it. */
  stackName: string | null;
  /** SHIPGRAPH_* variables (stage, region, commit, dependency outputs) and the stage's AWS_* credentials. */
  env: Record<string, string>;
  /** How shipgraph's own calls reach AWS in the stage (its role, or the build's credentials). */
  access: StageAccess;
  /** Outputs of the services this one depends on: service → output key → value. */
  dependencyOutputs: Record<PackageName, Record<string, string>>;
  /**
   * The service's resolved production dependencies, as the lockfile has them. Read when first asked
   * (once per service in a run): only what is built from them, such as a dependencies layer, needs them.
   */
  resolvedDependencies: () => Promise<ResolvedDependencies>;
  /** One line of the deploy's output (already without its newline). */
  log: (line: string) => void;
  /** Registers a running child process so a signal can be passed on to it. */
  track: (kill: (signal: NodeJS.Signals) => void) => () => void;
  /** Aborted by a signal: nothing may start after that, up to the moment a process is spawned. */
  signal: AbortSignal;
  /**
   * CloudFormation's ClientRequestToken for this try of this deploy: a call the SDK sends again is the
   * same call. Tokens of the same step in this run share all but their last `-<attempt>`.
   */
  requestToken: string;
}

/**
 * A key that changes exactly when a service's resolved production dependencies change (transitively,
 * through the workspace packages it depends on), or why shipgraph cannot tell (no lockfile, one it
 * cannot read, a package the lockfile does not list).
 */
export type ResolvedDependencies = { known: true; key: string } | { known: false; why: string };

/** For a context whose deployer builds nothing (remove, rollback). */
export const unresolvedDependencies = (why: string) => (): Promise<ResolvedDependencies> =>
  Promise.resolve({ known: false, why });

/** What a deploy did: the stack outputs (empty when there is no stack), and whether it changed anything. */
export interface DeployOutcome {
  outputs: Record<string, string>;
  /** False when the deploy found nothing to change; null when the deployer cannot tell. */
  changed: boolean | null;
}

export interface Deployer {
  deploy(context: DeployContext): Promise<DeployOutcome>;
  /** Removes what deploy created (a missing stack is already removed). */
  remove(context: DeployContext): Promise<void>;
  /** Deploying in two steps, a package kept between them; absent when the deployer cannot. */
  packaging?: Packaging;
  /** Goes back to what served before the last deploy (`shipgraph rollback`); one line per thing moved. */
  rollback?(context: DeployContext): Promise<string[]>;
}

/** Builds a deployable package into a folder, and deploys from one: what a stage with `artifacts` keeps. */
export interface Packaging {
  /**
   * Whether the package is made for one stage and region (the Serverless Framework writes them into
   * its templates): then another stage packages again and checks its code is the same, byte for byte.
   */
  stageBound: boolean;
  /** Whether this service can be packaged (an npm-script service needs a `package` script); default yes. */
  available?(context: DeployContext): Promise<boolean>;
  /** Writes the package into `dir` (empty). */
  package(context: DeployContext, dir: string): Promise<void>;
  /** Deploys the package in `dir`. */
  deployPackage(context: DeployContext, dir: string): Promise<DeployOutcome>;
  /** Whether a file of the package (a relative path) is code, which the artifact's hash covers; else all are. */
  isCode?(path: string): boolean;
}

/** A deploy that failed; `transient` says whether trying again may help (throttling, stack busy). */
export class DeployFailure extends Error {
  constructor(
    message: string,
    readonly transient: boolean,
  ) {
    super(message);
  }
}

const TRANSIENT = [
  /Rate exceeded/i,
  /Throttl/i,
  /TooManyRequests/i,
  /RequestLimitExceeded/i,
  /ResourceConflictException/,
  /_IN_PROGRESS state and can ?not be updated/i,
  /is in [A-Z_]+_IN_PROGRESS state/,
];

export const looksTransient = (text: string): boolean => TRANSIENT.some((pattern) => pattern.test(text));

/**
 * Runs `work`, turning an AWS error (throttled, an update in progress) into a failed deploy, retried
 * when it may pass; the SDK's service errors carry $metadata. Anything else is already what it should be.
 */
export async function awsFailures<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof Error) || !('$metadata' in error)) throw error;
    const message = `${error.name}: ${error.message}`;
    throw new DeployFailure(message, looksTransient(message));
  }
}

/** The context of a deploy from a package folder: the tool finds it as $SHIPGRAPH_PACKAGE_DIR. */
export const withPackageDir = (context: DeployContext, dir: string): DeployContext => ({
  ...context,
  env: { ...context.env, SHIPGRAPH_PACKAGE_DIR: dir },
});
