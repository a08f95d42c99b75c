// Runs a tool as an argv (never through a shell) in a folder, streaming its output line by line.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { startUnlessInterrupted } from './interrupts.js';

export interface CommandContext {
  /** The folder it runs in. */
  dir: string;
  env: Record<string, string>;
  /** One line of its output (stdout and stderr, as they come). */
  log: (line: string) => void;
  /** Registers the running process so a signal can be passed on to it. */
  track: (kill: (signal: NodeJS.Signals) => void) => () => void;
  /** Aborted by a signal: the command does not start after that. */
  signal: AbortSignal;
}

/** A command that ran and failed; `tail` holds its last lines, to tell why. */
export class CommandFailed extends Error {
  constructor(
    message: string,
    readonly tail: readonly string[],
  ) {
    super(message);
  }
}

/** Runs `file args` and returns its last lines (up to 200); throws CommandFailed when it fails. */
export async function runCommand(
  file: string,
  args: readonly string[],
  context: CommandContext,
): Promise<string[]> {
  // The last moment to notice a signal: nothing starts after one.
  startUnlessInterrupted(context.signal);
  context.log(`$ ${[file, ...args].join(' ')}`);
  // stdout and stderr are read line by line as they come; execa's `all` interleaving costs twice as
  // much per process, which shows at hundreds of quick deploys.
  const child = execa(file, args, {
    cwd: context.dir,
    env: context.env,
    stdin: 'ignore',
    buffer: false,
    reject: false,
    // Its own process group, so a signal reaches what it starts too: npm does not pass SIGTERM on to
    // the script it runs, which would outlive the run.
    detached: true,
  });
  const untrack = context.track((signal) => {
    killGroup(child, signal);
  });
  // The last lines are enough to tell a throttling failure from a real one, without holding whole logs.
  const tail: string[] = [];
  const onLine = (line: string) => {
    context.log(line);
    tail.push(line);
    if (tail.length > 200) tail.shift();
  };
  try {
    const [result] = await Promise.all([
      child,
      eachLine(child.stdout, onLine),
      eachLine(child.stderr, onLine),
    ]);
    if (result.failed) {
      const why =
        result.signal !== undefined
          ? `killed by ${result.signal}`
          : result.exitCode !== undefined
            ? `exit code ${result.exitCode}`
            : result.shortMessage;
      throw new CommandFailed(`${file} failed (${why})`, tail);
    }
    return tail;
  } finally {
    untrack();
  }
}

function eachLine(stream: Readable | null, onLine: (line: string) => void): Promise<void> {
  if (stream === null) return Promise.resolve();
  return new Promise((resolve) => {
    createInterface({ input: stream, crlfDelay: Infinity }).on('line', onLine).on('close', resolve);
  });
}

/** The signal to the process and everything it started (its group); to the process alone if that fails. */
function killGroup(
  child: { pid?: number | undefined; kill: (signal: NodeJS.Signals) => boolean },
  signal: NodeJS.Signals,
): void {
  try {
    if (child.pid === undefined) throw new Error('no pid');
    process.kill(-child.pid, signal);
  } catch {
    child.kill(signal);
  }
}
