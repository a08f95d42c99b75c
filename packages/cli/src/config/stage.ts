// Which stage a run is for, and the regions it deploys to.
import picomatch from 'picomatch';
import type { ShipgraphConfig } from './config.js';
import type { StageRole } from '../aws/access.js';
import { CliError } from '../errors.js';

export interface Stage {
  name: string;
  regions: string[];
  /** Whether e2e tests run after deploys to this stage. */
  e2e: boolean;
  /** A protected stage (prod) is never destroyed without --force. */
  protected: boolean;
  /** When a notification is sent: on a change of outcome, or after every deploy. */
  notify: 'changes' | 'always';
  /** The role assumed for everything shipgraph does in the stage, or null for the build's own credentials. */
  role: StageRole | null;
  /** Where the stage keeps its deploys' packages, or null when it keeps none. */
  artifacts: { bucket: string; prefix: string; region: string } | null;
}

// Stage names go into stack names (128 characters with the service's) and file names.
const STAGE_NAME = /^[A-Za-z0-9][A-Za-z0-9-]{0,63}$/;

/** `--stage`, else `STAGE`, else the config's default; it must be declared when the config declares stages. */
export function resolveStage(
  config: ShipgraphConfig,
  flag: string | undefined,
  env: NodeJS.ProcessEnv,
): Stage {
  const name = flag ?? (env.STAGE !== undefined && env.STAGE !== '' ? env.STAGE : config.defaultStage);
  if (!STAGE_NAME.test(name)) {
    const shown = name.length > 40 ? `${name.slice(0, 40)}…` : name;
    throw new CliError('E_STAGE_NAME', `invalid stage name "${shown}"`, {
      hint: 'use letters, digits and dashes (64 at most), starting with a letter or digit, e.g. staging or pr-12',
    });
  }
  const fallbackRegion = env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1';
  const declared = Object.keys(config.stages);
  if (declared.length === 0)
    return {
      name,
      regions: [fallbackRegion],
      e2e: true,
      protected: false,
      notify: 'changes',
      role: null,
      artifacts: null,
    };
  const key =
    declared.find((pattern) => pattern === name) ??
    declared.find((pattern) => picomatch.isMatch(name, pattern));
  if (key === undefined) {
    throw new CliError(
      'E_UNKNOWN_STAGE',
      `stage "${name}" is not declared in ${config.file ?? 'the config'}`,
      {
        hint: `use one of: ${declared.join(', ')} (or add it under "stages")`,
      },
    );
  }
  const settings = config.stages[key];
  const regions = settings?.regions ?? [fallbackRegion];
  return {
    name,
    regions,
    e2e: settings?.e2e ?? true,
    protected: settings?.protected ?? false,
    notify: settings?.notify ?? 'changes',
    role: settings?.role ?? null,
    artifacts:
      settings?.artifacts == null
        ? null
        : { ...settings.artifacts, region: settings.artifacts.region ?? regions[0] ?? fallbackRegion },
  };
}
