// Runs a deploy command (an argv, never a shell), streaming its output line by line.
import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';
import { execa } from 'execa';
import { DeployFailure, looksTransient, startUnlessInterrupted, type DeployContext } from '../deployer.js';

/**
 * What deploy tools print when a deploy changed nothing: the Serverless Framework (v3, osls, v4),
 * `aws cloudformation deploy` and SAM, Terraform.
 */
const NO_CHANGE = [
  /No changes to deploy\. Deployment skipped/,
  /Service files not changed\. Skipping deployment/,
  /No changes to deploy\. Stack \S+ is up to date/,
  /No changes\. Your infrastructure matches the configuration/,
  /Apply complete! Resources: 0 added, 0 changed, 0 destroyed/,
];

/** Whether a deploy's last lines say it changed nothing. */
export const saidNoChange = (lines: readonly string[]): boolean =>
  lines.some((line) => NO_CHANGE.some((pattern) => pattern.test(line)));

/**
 * Runs a command in `context.dir` and returns its last lines; fails with a DeployFailure that says
 * whether a retry may help.
 */
export async function runDeployCommand(
  file: string,
  args: readonly string[],
  context: Pick<DeployContext, 'dir' | 'env' | 'log' | 'track' | 'signal'>,
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
