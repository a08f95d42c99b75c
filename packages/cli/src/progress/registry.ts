// Chooses the renderer once, at the edge, from the Io (terminal or not, CI, colour) and --quiet/--verbose.
import type { Io } from '../io.js';
import type { Paint, Reporter } from './contract.js';
import { plainReporter } from './plain.js';
import { quietReporter } from './quiet.js';

/** --quiet and --verbose, as given (yargs refuses both at once). */
export interface Verbosity {
  quiet?: boolean | undefined;
  verbose?: boolean | undefined;
}

export async function openReporter(io: Io, { quiet, verbose }: Verbosity): Promise<Reporter> {
  const options = rendererOptions(io);
  if (quiet === true) return quietReporter(options);
  // --verbose on a terminal: every tool line, as in CI, instead of the view that hides them.
  if (io.stderrIsTTY && !isCi(io.env) && verbose !== true) {
    // Loaded only for the view: plan, and runs in CI, do not pay for log-update and its helpers.
    const { liveReporter } = await import('./live.js');
    return liveReporter({ ...options, columns: io.columns, rows: io.rows, refreshMs: 1000 });
  }
  return lineReporter(io);
}

/**
 * Plain lines with every tool line: the build log is the only copy of the tools' output that
 * outlives a CodeBuild container. Also what commands without steps to show (plan, state) write with.
 */
export const lineReporter = (io: Io): Reporter => plainReporter({ ...rendererOptions(io), toolLines: true });

const rendererOptions = (io: Io) => ({ write: io.stderr, now: io.now, paint: paintFor(colourWanted(io)) });

/** CI=true, CI=1...; CI=false and CI=0 say it is not. */
const isCi = (env: NodeJS.ProcessEnv): boolean =>
  env.CI !== undefined && env.CI !== '' && env.CI !== 'false' && env.CI !== '0';

/** FORCE_COLOR (but 0/false) wins; then NO_COLOR (any value) turns colour off; else only on a terminal. */
export function colourWanted(io: Io): boolean {
  const force = io.env.FORCE_COLOR;
  if (force !== undefined) return force !== '0' && force !== 'false';
  if (io.env.NO_COLOR !== undefined && io.env.NO_COLOR !== '') return false;
  return io.stderrIsTTY;
}

const sgr =
  (open: number, close: number) =>
  (text: string): string =>
    `\u001b[${open}m${text}\u001b[${close}m`;

export const paintFor = (colour: boolean): Paint =>
  colour
    ? { green: sgr(32, 39), red: sgr(31, 39), yellow: sgr(33, 39), dim: sgr(2, 22) }
    : { green: plain, red: plain, yellow: plain, dim: plain };

const plain = (text: string): string => text;
