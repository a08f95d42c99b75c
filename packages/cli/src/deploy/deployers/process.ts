// Runs a deploy command (an argv, never a shell), streaming its output line by line.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { DeployFailure, looksTransient, type DeployContext } from '../deployer.js';

/** Runs a command in `context.dir`; fails with a DeployFailure that says whether a retry may help. */
export async function runDeployCommand(
  file: string,
  args: readonly string[],
  context: Pick<DeployContext, 'dir' | 'env' | 'log' | 'track'>,
): Promise<void> {
  context.log(`$ ${[file, ...args].join(' ')}`);
  // stdout and stderr are read line by line as they come; execa's `all` interleaving costs twice as
  // much per process, which shows at hundreds of quick deploys.
  const child = execa(file, args, {
    cwd: context.dir,
    env: context.env,
    stdin: 'ignore',
    buffer: false,
    reject: false,
  });
  const untrack = context.track((signal) => child.kill(signal));
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
      throw new DeployFailure(`${file} failed (${why})`, looksTransient(tail.join('\n')));
    }
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
