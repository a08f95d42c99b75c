// Which package manager runs the workspace's scripts, from the lockfile in the checkout.
import { access } from 'node:fs/promises';
import { join } from 'node:path';

export async function packageManager(root: string): Promise<'npm' | 'pnpm' | 'yarn'> {
  const exists = (file: string) =>
    access(join(root, file)).then(
      () => true,
      () => false,
    );
  if (await exists('pnpm-lock.yaml')) return 'pnpm';
  if (await exists('yarn.lock')) return 'yarn';
  return 'npm';
}

/** `run <script> <flags>`: npm needs `--` to pass flags on to the script; pnpm and yarn do not. */
export const runScriptArgs = (
  manager: 'npm' | 'pnpm' | 'yarn',
  script: string,
  flags: readonly string[],
): string[] => (manager === 'npm' ? ['run', script, '--', ...flags] : ['run', script, ...flags]);
