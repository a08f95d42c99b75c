// Workspaces whose services deploy with the `command` deployer running fixtures/fake-deploy.mjs.
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { BIN, tempRepo, type Cleanup, type TestRepo } from './repo.js';

const FAKE_DEPLOY = fileURLToPath(new URL('../fixtures/fake-deploy.mjs', import.meta.url));

/** Service name → the services and libraries it depends on (names are used as they are, no scope). */
export function commandRepo(
  graph: Record<string, string[]>,
  libs: Record<string, string[]> = {},
  cleanup: Cleanup = 'after-test',
): TestRepo {
  const files: Record<string, string | object> = {
    'package.json': { name: 'root', private: true, workspaces: ['services/*', 'libs/*'] },
    '.gitignore': '.shipgraph/\ndeploy-behaviour.json\ndeploy-trace.jsonl\n.attempts-*\n',
  };
  for (const [name, deps] of Object.entries(graph)) {
    files[`services/${name}/package.json`] = {
      name,
      dependencies: Object.fromEntries(deps.map((dep) => [dep, '*'])),
    };
    files[`services/${name}/src/index.js`] = `export const name = '${name}';\n`;
  }
  for (const [name, deps] of Object.entries(libs)) {
    files[`libs/${name}/package.json`] = {
      name,
      dependencies: Object.fromEntries(deps.map((dep) => [dep, '*'])),
    };
    files[`libs/${name}/src/index.js`] = `export const name = '${name}';\n`;
  }
  const repo = tempRepo(files, cleanup);
  // The deploy runs in the service directory; the fake deploy is told where the repository root is.
  const deployer = {
    type: 'command',
    command: ['node', FAKE_DEPLOY, repo.dir],
    remove: ['node', FAKE_DEPLOY, repo.dir, 'remove'],
  };
  const services = Object.fromEntries(Object.keys(graph).map((name) => [name, { deployer }]));
  return repo.write({ 'shipgraph.config.json': { services } });
}

export interface SummaryJson {
  stage: string;
  head: string;
  ok: boolean;
  interrupted: string | null;
  results: {
    service: string;
    region: string;
    status: 'deployed' | 'unchanged' | 'failed' | 'blocked' | 'skipped';
    startedAt: number | null;
    endedAt: number | null;
    attempts: number;
    log: string | null;
    changed?: boolean | null;
    error?: string;
  }[];
  e2e?: {
    service: string;
    region: string;
    status: 'passed' | 'failed' | 'skipped';
    startedAt: number | null;
    endedAt: number | null;
    detail?: string;
  }[];
}

export async function deploy(repo: TestRepo, args: string[] = [], env: Record<string, string> = {}) {
  const result = await repo.run(
    ['deploy', '--json', '--no-check-stacks', '--retry-delay', '0.1', ...args],
    env,
  );
  const summary = result.stdout === '' ? null : (JSON.parse(result.stdout) as SummaryJson);
  return { ...result, summary };
}

export const statusOf = (summary: SummaryJson | null): Record<string, string> =>
  Object.fromEntries((summary?.results ?? []).map((result) => [result.service, result.status]));

export const timesOf = (summary: SummaryJson | null, service: string): { start: number; end: number } => {
  const result = summary?.results.find((entry) => entry.service === service);
  if (result?.startedAt == null || result.endedAt == null) throw new Error(`${service} did not run`);
  return { start: result.startedAt, end: result.endedAt };
};

/** Polls until the condition holds; for waiting on another process. */
export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A `shipgraph deploy --json` running in the background, in CI mode, for a test to signal while it runs. */
export interface Watched {
  child: ChildProcess;
  stderr: () => string[];
  stdout: () => string;
  done: Promise<number | null>;
}

export function spawnDeploy(dir: string, args: string[] = []): Watched {
  const child = spawn('node', [BIN, 'deploy', '--json', '--no-check-stacks', ...args], {
    cwd: dir,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, CI: 'true', GIT_CONFIG_NOSYSTEM: '1' },
  });
  let err = '';
  let out = '';
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  const done = new Promise<number | null>((resolve) => {
    child.on('close', (code) => {
      resolve(code);
    });
  });
  return { child, stderr: () => err.split('\n'), stdout: () => out, done };
}
