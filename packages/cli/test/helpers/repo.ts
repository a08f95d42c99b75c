// Real temporary git repositories for tests, removed when the test ends.
import { mkdtempSync, mkdirSync, rmSync, writeFileSync, renameSync, cpSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execFileSync } from 'node:child_process';
import { execa } from 'execa';
import { onTestFinished } from 'vitest';

export const BIN = fileURLToPath(new URL('../../bin/shipgraph.js', import.meta.url));

export interface RunResult {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface TerminalRun {
  exitCode: number;
  output: string;
}

export class TestRepo {
  constructor(readonly dir: string) {}

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.dir, encoding: 'utf8', env: gitEnv() }).trim();
  }

  write(files: Record<string, string | object>): this {
    for (const [path, content] of Object.entries(files)) {
      const file = join(this.dir, path);
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2) + '\n');
    }
    return this;
  }

  remove(...paths: string[]): this {
    for (const path of paths) rmSync(join(this.dir, path), { recursive: true, force: true });
    return this;
  }

  move(from: string, to: string): this {
    mkdirSync(dirname(join(this.dir, to)), { recursive: true });
    renameSync(join(this.dir, from), join(this.dir, to));
    return this;
  }

  /** Stages everything and commits; returns the new commit id. */
  commit(message = 'change'): string {
    this.git('add', '-A');
    this.git('commit', '-q', '--allow-empty', '-m', message);
    return this.git('rev-parse', 'HEAD');
  }

  /** Runs the real shipgraph binary here, with a CI-free environment plus `env`. */
  async run(args: string[], env: Record<string, string> = {}): Promise<RunResult> {
    const result = await execa('node', [BIN, ...args], {
      cwd: this.dir,
      env: { ...cleanEnv(), ...env },
      extendEnv: false,
      reject: false,
    });
    return { exitCode: result.exitCode ?? -1, stdout: result.stdout, stderr: result.stderr };
  }

  /**
   * Runs the real binary with stdout and stderr on a pseudo-terminal (util-linux `script`), as a
   * person at a terminal would; `output` is what the terminal received, escape sequences and all.
   */
  async runOnTerminal(args: string[], env: Record<string, string> = {}): Promise<TerminalRun> {
    const quote = (arg: string): string => `'${arg.replace(/'/g, `'\\''`)}'`;
    const command = ['node', BIN, ...args].map(quote).join(' ');
    const result = await execa('script', ['-qfec', command, '/dev/null'], {
      cwd: this.dir,
      env: { ...cleanEnv(), TERM: 'xterm-256color', ...env },
      extendEnv: false,
      reject: false,
      stdin: 'ignore',
    });
    return { exitCode: result.exitCode ?? -1, output: result.stdout };
  }

  /** `shipgraph plan --json`, parsed; fails the test on a non-zero exit. */
  async plan(args: string[] = [], env: Record<string, string> = {}): Promise<PlanJson> {
    const result = await this.run(['plan', '--json', ...args], env);
    if (result.exitCode !== 0) throw new Error(`plan failed (${result.exitCode}): ${result.stderr}`);
    return JSON.parse(result.stdout) as PlanJson;
  }

  /** Records every service (or `only`) as deployed at `commit` in the stage (no AWS: stacks not looked up). */
  async mark(commit: string, only?: string[], stage = 'staging'): Promise<void> {
    const args = [
      'state',
      'mark',
      '--no-check-stacks',
      '--stage',
      stage,
      '--commit',
      commit,
      ...(only ? ['--only', only.join(',')] : []),
    ];
    const result = await this.run(args);
    if (result.exitCode !== 0) throw new Error(`state mark failed: ${result.stderr}`);
  }

  copyStateTo(other: TestRepo): void {
    cpSync(join(this.dir, '.shipgraph'), join(other.dir, '.shipgraph'), { recursive: true });
  }
}

export interface PlanJson {
  version: number;
  stage: string;
  head: string;
  skipped: null | { reason: string; trigger: string };
  services: {
    name: string;
    path: string;
    deploy: boolean;
    batch: number | null;
    base: string | null;
    dependsOn: string[];
    fingerprint: string | null;
    reasons: { kind: string; files?: string[]; via?: string; detail?: string; conditional?: true }[];
    conditionalOn?: string[];
  }[];
  batches: string[][];
  orphans: string[];
}

/** Names of the services that deploy, sorted. */
export const deploying = (plan: PlanJson): string[] =>
  plan.services
    .filter((service) => service.deploy)
    .map((service) => service.name)
    .sort();

export const reasonsOf = (plan: PlanJson, name: string): PlanJson['services'][number]['reasons'] => {
  const service = plan.services.find((entry) => entry.name === name);
  if (service === undefined) throw new Error(`no service ${name} in plan`);
  return service.reasons;
};

/** Removed when the test ends; `manual` for one made outside a test (a beforeAll), removed by its caller. */
export type Cleanup = 'after-test' | 'manual';

export function tempDir(cleanup: Cleanup = 'after-test'): string {
  const dir = mkdtempSync(join(tmpdir(), 'shipgraph-test-'));
  if (cleanup === 'after-test') {
    onTestFinished(() => {
      rmSync(dir, { recursive: true, force: true });
    });
  }
  return dir;
}

export function tempRepo(
  files: Record<string, string | object> = {},
  cleanup: Cleanup = 'after-test',
): TestRepo {
  const repo = new TestRepo(tempDir(cleanup));
  repo.git('init', '-q', '-b', 'main');
  repo.git('config', 'user.email', 'test@example.com');
  repo.git('config', 'user.name', 'test');
  repo.git('config', 'commit.gpgsign', 'false');
  repo.write({ '.gitignore': '.shipgraph/\nnode_modules/\n', ...files });
  return repo;
}

/** A clone of `repo` with only its newest commit, as CI checkouts often are. */
export const shallowClone = (repo: TestRepo, ...options: string[]): TestRepo =>
  cloneOf(repo, '--depth', '1', ...options);

/** A clone of `repo`, as CI makes one: its branches are remote-tracking ones (origin/...). */
export function cloneOf(repo: TestRepo, ...options: string[]): TestRepo {
  const clone = new TestRepo(tempDir());
  execFileSync('git', ['clone', '-q', ...options, `file://${repo.dir}`, clone.dir], { env: gitEnv() });
  return clone;
}

function cleanEnv(): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // The AWS_* variables point at moto (set by the aws project's global setup), never at a real account.
    const keep = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'SYSTEMROOT'].includes(key) || /^(AWS|SLS)_/.test(key);
    if (keep && value !== undefined) env[key] = value;
  }
  return { ...env, ...GIT_VARS };
}

const GIT_VARS = {
  GIT_CONFIG_NOSYSTEM: '1',
  GIT_AUTHOR_DATE: '2026-01-01T00:00:00Z',
  GIT_COMMITTER_DATE: '2026-01-01T00:00:00Z',
};

const gitEnv = (): Record<string, string> => ({ ...(process.env as Record<string, string>), ...GIT_VARS });

/** Whether util-linux `script` is here: what runOnTerminal gives a real pseudo-terminal with. */
export const hasTerminal = ((): boolean => {
  try {
    execFileSync('script', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
})();
