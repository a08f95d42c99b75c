// shipgraph.config.json: read, validated against the shipped JSON Schema, resolved with defaults.
import {
  DEFAULT_EXCLUDES,
  DEFAULT_GLOBAL_FILES,
  type InputRules,
  type PackageName,
  type PlannerConfig,
} from '@shipgraph/core';
import type { StageRole } from '../aws/access.js';
import { schemaProblems, verdictDigest } from './schema-check.js';
import { CliError } from '../errors.js';

export const CONFIG_FILE = 'shipgraph.config.json';
const DEFAULT_STAGE = 'staging';

interface RawInputs {
  include?: string[];
  exclude?: string[];
  extra?: string[];
  ignoreReferences?: string[];
}

export interface CloudFormationDeployerConfig {
  type: 'cloudformation';
  template?: string;
  parameters?: Record<string, string>;
  capabilities?: string[];
}

/** New code for functions that infrastructure owns: build, zip, upload, update, publish, move an alias. */
export interface LambdaDeployerConfig {
  type: 'lambda';
  /** Function names; may use {stage}, {region}, {output:<service>:<Key>} and {output:<Key>} (own stack). */
  functions: string[];
  /** A command writing the code into `dir` (relative to the service), or an esbuild entry. */
  build: { command: string[]; dir: string } | { entry: string };
  /** Where the zips go (placeholders {stage} and {region}); in the functions' region. */
  bucket: string;
  /** The alias moved to each new version (placeholders allowed); default the stage's name. */
  alias?: string;
  rollout?: RolloutConfig;
  /** A layer for the dependencies: its name, and a command writing its contents (nodejs/node_modules) into dir. */
  layer?: { name: string; build: { command: string[]; dir: string } };
}

/** How a new version takes over the alias's traffic: shifted by shipgraph, or by CodeDeploy. */
export type RolloutConfig = WeightsRolloutConfig | CodeDeployRolloutConfig;

/** Traffic shifted to a new version through the alias's routing weights, watching alarms meanwhile. */
export interface WeightsRolloutConfig {
  type: 'canary' | 'linear';
  /** canary: the new version's share during the bake; linear: the share added each step. */
  percent: number;
  /** The bake time (canary) or the time per step (linear): minutes, seconds, or both added. */
  minutes?: number;
  seconds?: number;
  /** CloudWatch alarms (placeholders allowed): any in ALARM rolls the alias back. */
  alarms?: string[];
  /** How often the alarms are read during the bake (default 10 s; tests use less). */
  pollSeconds?: number;
}

/**
 * Traffic shifted by a CodeDeploy deployment per function, through a deployment group the user has
 * already; its alarms and automatic rollback are CodeDeploy's.
 */
export interface CodeDeployRolloutConfig {
  codeDeploy: {
    /** The application and its deployment group (placeholders allowed). */
    application: string;
    deploymentGroup: string;
    /** A deployment config such as CodeDeployDefault.LambdaCanary10Percent5Minutes; default the group's. */
    config?: string;
  };
  /** How often the deployment's status is read (default 5 s; tests use less). */
  pollSeconds?: number;
}

/** `serverless deploy`; with an alias (or a rollout) every function's alias moves to its new version. */
export interface ServerlessDeployerConfig {
  type: 'serverless';
  /** The alias moved on each function (placeholders allowed); default the stage's name when rolling out. */
  alias?: string;
  rollout?: RolloutConfig;
}

export type DeployerConfig =
  | ServerlessDeployerConfig
  | { type: 'npm-script'; script?: string }
  | { type: 'command'; command: string[]; remove?: string[]; package?: string[] }
  | CloudFormationDeployerConfig
  | LambdaDeployerConfig;

/** An S3 bucket and key prefix; the region is the stage's first when not given. */
export interface ArtifactsConfig {
  bucket: string;
  prefix: string;
  region: string | null;
}

/** An environment variable, or an SSM parameter (a SecureString, read with decryption). */
export type WebhookUrlSource =
  { from: 'env'; name: string } | { from: 'ssm'; parameter: string; region: string | null };

export type StateConfig =
  | { backend: 'file'; dir: string }
  | { backend: 'dynamodb'; table: string; region: string | null; role: StageRole | null };

interface RawConfig {
  graph?: 'auto' | 'nx' | 'packages';
  triggers?: {
    branches?: Record<string, string>;
    tags?: Record<string, string>;
    pullRequests?: 'test' | 'preview';
  };
  defaultStage?: string;
  stages?: Record<
    string,
    {
      regions?: string[];
      e2e?: boolean;
      protected?: boolean;
      notify?: 'changes' | 'always';
      roleArn?: string;
      externalId?: string;
      artifacts?: { bucket: string; prefix?: string; region?: string };
    }
  >;
  notifications?: { webhookUrlEnv: string } | { webhookUrlParameter: string; region?: string };
  e2e?: { script?: string; concurrency?: number; gate?: boolean };
  checkout?: { buildMayEdit?: string[] };
  globalFiles?: string[];
  inputs?: RawInputs;
  services?: Record<
    string,
    { inputs?: RawInputs; path?: string; dependsOn?: string[]; deployer?: DeployerConfig; stackName?: string }
  >;
  state?:
    | { backend: 'file'; dir?: string }
    | { backend: 'dynamodb'; table: string; region?: string; roleArn?: string; externalId?: string };
}

export interface ShipgraphConfig {
  /** Repository-relative path of the file read, or null when there is none. */
  file: string | null;
  /** Where dependency edges come from: manifests and project.json, or also Nx's project graph. */
  graph: 'auto' | 'nx' | 'packages';
  defaultStage: string;
  stages: Record<
    string,
    {
      regions: string[] | null;
      e2e: boolean;
      protected: boolean;
      notify: 'changes' | 'always';
      /** The role shipgraph assumes for everything it does in the stage, or null for the build's own. */
      role: StageRole | null;
      /** Where the stage keeps what each deploy ran, or null when it keeps nothing. */
      artifacts: ArtifactsConfig | null;
    }
  >;
  /** Where the notification webhook URL comes from, or null for no notifications. */
  webhookUrl: WebhookUrlSource | null;
  /** The package script that runs a service's end-to-end tests. */
  e2eScript: string;
  /** Tracked files (globs) the build edits on purpose before deploying: not a dirty checkout. */
  buildMayEdit: string[];
  /** E2e runs at once (null: as many as deploys), and whether dependents wait for them to pass. */
  e2e: { concurrency: number | null; gate: boolean };
  triggers: {
    /** Whether the config has a `triggers` section at all. */
    configured: boolean;
    branches: Record<string, string>;
    tags: Record<string, string>;
    /** Pull requests are tested only, or deployed to their own preview stage `pr-<number>`. */
    pullRequests: 'test' | 'preview';
  };
  planner: PlannerConfig;
  /** Packages declared as services, with their folder when the config places them, extra deploy-order edges and deploy settings. */
  services: Record<
    PackageName,
    {
      path: string | null;
      dependsOn: PackageName[];
      deployer: DeployerConfig | null;
      stackName: string | null;
    }
  >;
  state: StateConfig;
}

/** Configs found valid before, by the digest of their text and of the validator (see verdictDigest). */
export interface ValidConfigs {
  knows(digest: string): Promise<boolean>;
  learn(digest: string): void;
}

/**
 * Parses and validates the config text (null: no config file, all defaults). A text `valid` knows
 * this validator accepted is not validated again: loading the validator is most of the cost.
 */
export async function parseConfig(text: string | null, valid?: ValidConfigs): Promise<ShipgraphConfig> {
  if (text === null) return resolve({}, null);
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new CliError('E_CONFIG', `${CONFIG_FILE} is not valid JSON: ${(error as Error).message}`, {
      hint: 'fix the JSON syntax',
      cause: error,
    });
  }
  const digest = valid === undefined ? null : verdictDigest('config', text);
  if (digest === null || !(await valid?.knows(digest))) {
    await validate(raw);
    if (digest !== null) valid?.learn(digest);
  }
  return resolve(raw as RawConfig, CONFIG_FILE);
}

async function validate(raw: unknown): Promise<void> {
  const problems = await schemaProblems('config', raw);
  if (problems.length === 0) return;
  throw new CliError('E_CONFIG', `${CONFIG_FILE} is invalid: ${problems.join('; ')}`, {
    hint: `see the schema in shipgraph/schema/config.schema.json (set "$schema" for editor help)`,
  });
}

function resolve(raw: RawConfig, file: string | null): ShipgraphConfig {
  const defaultInputs = inputRules(raw.inputs, {
    include: ['**'],
    exclude: [...DEFAULT_EXCLUDES],
    extra: [],
    ignoreReferences: [],
  });
  const inputs: Record<PackageName, InputRules> = {};
  const services: ShipgraphConfig['services'] = {};
  for (const [name, service] of Object.entries(raw.services ?? {})) {
    if (service.inputs !== undefined) inputs[name] = inputRules(service.inputs, defaultInputs);
    services[name] = {
      path: service.path === undefined ? null : service.path.replace(/^\.\//, '').replace(/\/+$/, ''),
      dependsOn: service.dependsOn ?? [],
      deployer: service.deployer ?? null,
      stackName: service.stackName ?? null,
    };
  }
  const stages: ShipgraphConfig['stages'] = {};
  for (const [name, stage] of Object.entries(raw.stages ?? {})) {
    stages[name] = {
      regions: stage.regions ?? null,
      e2e: stage.e2e ?? true,
      protected: stage.protected ?? false,
      notify: stage.notify ?? 'changes',
      role: stage.roleArn === undefined ? null : { arn: stage.roleArn, externalId: stage.externalId ?? null },
      artifacts:
        stage.artifacts === undefined
          ? null
          : {
              bucket: stage.artifacts.bucket,
              prefix: stage.artifacts.prefix?.replace(/^\/+|\/+$/g, '') ?? 'shipgraph',
              region: stage.artifacts.region ?? null,
            },
    };
  }
  return {
    file,
    graph: raw.graph ?? 'auto',
    defaultStage: raw.defaultStage ?? DEFAULT_STAGE,
    stages,
    e2eScript: raw.e2e?.script ?? 'test:e2e',
    e2e: { concurrency: raw.e2e?.concurrency ?? null, gate: raw.e2e?.gate ?? false },
    buildMayEdit: (raw.checkout?.buildMayEdit ?? []).map((glob) => glob.replace(/^\.\//, '')),
    webhookUrl: webhookUrlSource(raw.notifications),
    triggers: {
      configured: raw.triggers !== undefined,
      branches: raw.triggers?.branches ?? {},
      tags: raw.triggers?.tags ?? {},
      pullRequests: raw.triggers?.pullRequests ?? 'test',
    },
    planner: { globalFiles: raw.globalFiles ?? [...DEFAULT_GLOBAL_FILES], defaultInputs, inputs },
    services,
    state:
      raw.state?.backend === 'dynamodb'
        ? {
            backend: 'dynamodb',
            table: raw.state.table,
            region: raw.state.region ?? null,
            role:
              raw.state.roleArn === undefined
                ? null
                : { arn: raw.state.roleArn, externalId: raw.state.externalId ?? null },
          }
        : { backend: 'file', dir: raw.state?.dir ?? '.shipgraph/state' },
  };
}

function webhookUrlSource(raw: RawConfig['notifications']): WebhookUrlSource | null {
  if (raw === undefined) return null;
  if ('webhookUrlEnv' in raw) return { from: 'env', name: raw.webhookUrlEnv };
  return { from: 'ssm', parameter: raw.webhookUrlParameter, region: raw.region ?? null };
}

const inputRules = (raw: RawInputs | undefined, fallback: InputRules): InputRules => ({
  include: raw?.include ?? fallback.include,
  exclude: raw?.exclude ?? fallback.exclude,
  extra: raw?.extra ?? fallback.extra,
  ignoreReferences: raw?.ignoreReferences ?? fallback.ignoreReferences ?? [],
});
