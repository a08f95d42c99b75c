// Runs a deploy command (an argv, never a shell), streaming its output line by line.
import { execa } from 'execa';
import { DeployFailure, looksTransient, type DeployContext } from '../deployer.js';

export async function runDeployCommand(
  file: string,
  args: readonly string[],
  context: DeployContext,
): Promise<void> {
  context.log(`$ ${[file, ...args].join(' ')}`);
  const child = execa(file, args, {
    cwd: context.dir,
    env: context.env,
    stdin: 'ignore',
    all: true,
    buffer: false,
    reject: false,
  });
  const untrack = context.track((signal) => child.kill(signal));
  // The last lines are enough to tell a throttling failure from a real one, without holding whole logs.
  const tail: string[] = [];
  try {
    for await (const line of child.iterable({ from: 'all' })) {
      context.log(line);
      tail.push(line);
      if (tail.length > 200) tail.shift();
    }
    const result = await child;
    if (result.failed) {
      const why =
        result.signal !== undefined ? `killed by ${result.signal}` : `exit code ${String(result.exitCode)}`;
      throw new DeployFailure(`${file} failed (${why})`, looksTransient(tail.join('\n')));
    }
  } finally {
    untrack();
  }
}
