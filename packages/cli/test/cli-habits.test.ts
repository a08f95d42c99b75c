// The habits users bring from other CLIs: --version, -h, `help <command>` with examples, "did you
// mean", shell completion, --json wherever a command reports something, and Turborepo-style selectors.
import { execFileSync } from 'node:child_process';
import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy } from './helpers/deploys.js';
import { BIN, tempDir, tempRepo } from './helpers/repo.js';

const VERSION = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

// Runs anywhere: these commands need no repository.
const bare = () => tempRepo({ 'package.json': { name: 'root', private: true } });

describe('version and help', () => {
  it('--version and -v print the version', async () => {
    const repo = bare();
    for (const flag of ['--version', '-v']) {
      expect(await repo.run([flag])).toEqual({ exitCode: 0, stdout: VERSION, stderr: '' });
    }
  });

  it('-h is --help, and lists every command, help and completion included', async () => {
    const repo = bare();
    const short = await repo.run(['-h']);
    expect(short.exitCode).toBe(0);
    expect(short.stdout).toBe((await repo.run(['--help'])).stdout);
    for (const command of [
      'plan',
      'deploy',
      'promote',
      'rollback',
      'e2e',
      'destroy',
      'unlock',
      'state',
      'help',
      'completion',
    ]) {
      expect(short.stdout).toMatch(new RegExp(`^  shipgraph ${command}\\b`, 'm'));
    }
  });

  it.each([
    ['plan'],
    ['deploy'],
    ['promote'],
    ['rollback'],
    ['e2e'],
    ['destroy'],
    ['unlock'],
    ['state', 'show'],
    ['state', 'mark'],
    ['state', 'init'],
  ])('help %s %s shows its options and at least two examples', async (...command: string[]) => {
    const result = await bare().run(['help', ...command]);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe((await bare().run([...command, '--help'])).stdout);
    expect(result.stdout.startsWith(`shipgraph ${command.join(' ')}`)).toBe(true);
    const examples = result.stdout.split('Examples:')[1] ?? '';
    expect(
      examples.match(new RegExp(`^  shipgraph ${command.join(' ')}`, 'gm'))?.length,
    ).toBeGreaterThanOrEqual(2);
  });

  it('help for a command that does not exist is a usage error with a suggestion', async () => {
    const result = await bare().run(['help', 'state', 'mrk']);
    expect(result).toMatchObject({ exitCode: 2, stdout: '' });
    expect(result.stderr).toBe(
      'shipgraph: E_USAGE: unknown command "mrk" (fix: did you mean mark? see shipgraph help state)',
    );
  });
});

describe('did you mean', () => {
  it.each([
    [['deploi'], 'unknown command "deploi" (fix: did you mean deploy? see shipgraph help)'],
    [['state', 'shwo'], 'unknown command "shwo" (fix: did you mean show? see shipgraph help state)'],
    [
      ['plan', '--stagee', 'prod'],
      'unknown option --stagee (fix: did you mean --stage? see shipgraph help plan)',
    ],
    [
      ['deploy', '--concurency=2'],
      'unknown option --concurency (fix: did you mean --concurrency? see shipgraph help deploy)',
    ],
    [['plan', '--frobnicate'], 'unknown option --frobnicate (fix: see shipgraph help plan)'],
  ])('%j', async (args, says) => {
    const result = await bare().run(args);
    expect(result).toMatchObject({ exitCode: 2, stdout: '' });
    expect(result.stderr).toBe(`shipgraph: E_USAGE: ${says}`);
  });
});

describe('completion', () => {
  /** What bash offers after `words` (the last one is being typed), through the printed script. */
  function complete(script: string, words: string[]): string[] {
    const bin = tempDir();
    const shim = join(bin, 'shipgraph');
    writeFileSync(shim, `#!/bin/sh\nexec node ${JSON.stringify(BIN)} "$@"\n`);
    chmodSync(shim, 0o755);
    const line = ['shipgraph', ...words];
    const out = execFileSync(
      'bash',
      [
        '-c',
        `${script}\nCOMP_WORDS=(${line.map((word) => `'${word}'`).join(' ')}); COMP_CWORD=${line.length - 1}\n` +
          `_shipgraph_yargs_completions; printf '%s\\n' "\${COMPREPLY[@]}"`,
      ],
      { encoding: 'utf8', env: { PATH: `${bin}:${process.env['PATH'] ?? ''}` } },
    );
    return out.split('\n').filter((entry) => entry !== '');
  }

  it('prints a bash script that completes commands, subcommands and each command’s own flags', async () => {
    const printed = await bare().run(['completion']);
    expect(printed.exitCode).toBe(0);
    expect(printed.stdout).toContain(
      'complete -o bashdefault -o default -F _shipgraph_yargs_completions shipgraph',
    );
    expect(complete(printed.stdout, ['de'])).toEqual(['deploy', 'destroy']);
    expect(complete(printed.stdout, ['state', ''])).toEqual(['show', 'mark', 'init']);
    const planFlags = complete(printed.stdout, ['plan', '--ex']);
    expect(planFlags.sort()).toEqual(['--exclude', '--explain']);
    expect(complete(printed.stdout, ['deploy', '--conc'])).toEqual(['--concurrency']);
  });
});

describe('--json on every command that reports something', () => {
  it('destroy, unlock, state mark and state init answer with one JSON document', async () => {
    const repo = commandRepo({ a: [], b: ['a'] });
    repo.commit();
    expect((await deploy(repo)).exitCode).toBe(0);

    const marked = await repo.run(['state', 'mark', '--only', 'b', '--json']);
    expect(marked.exitCode).toBe(0);
    expect(JSON.parse(marked.stdout)).toMatchObject({
      version: 1,
      stage: 'staging',
      services: ['b'],
      commit: repo.git('rev-parse', 'HEAD'),
      regions: ['us-east-1'],
    });

    const unlocked = await repo.run(['unlock', '--json']);
    expect(unlocked.exitCode).toBe(0);
    expect(JSON.parse(unlocked.stdout)).toEqual({
      version: 1,
      stage: 'staging',
      locks: [{ service: null, heldBy: null }],
    });

    const init = await repo.run(['state', 'init', '--json']);
    expect(JSON.parse(init.stdout)).toMatchObject({ version: 1, backend: 'file', created: false });

    const destroyed = await repo.run(['destroy', '--yes', '--json']);
    expect(destroyed.exitCode).toBe(0);
    expect(JSON.parse(destroyed.stdout)).toEqual({
      version: 1,
      stage: 'staging',
      results: [
        { service: 'b', status: 'removed' },
        { service: 'a', status: 'removed' },
      ],
    });
    const again = await repo.run(['destroy', '--yes', '--json']);
    expect(JSON.parse(again.stdout)).toEqual({ version: 1, stage: 'staging', results: [] });
  });
});

describe('--only and --exclude selectors', () => {
  // shared ← db ← orders ← orders-api; shared ← billing; site alone.
  const repo = () => {
    const made = commandRepo(
      { orders: ['db'], 'orders-api': ['orders'], billing: ['shared'], site: [] },
      { shared: [], db: ['shared'] },
    );
    made.commit();
    return made;
  };
  const considered = async (made: ReturnType<typeof repo>, args: string[]): Promise<string[]> =>
    (await made.plan(['--all', ...args])).services.map((service) => service.name).sort();

  it('take globs, folders and Turborepo-style dependencies and dependents', async () => {
    const made = repo();
    expect(await considered(made, ['--only', 'orders*'])).toEqual(['orders', 'orders-api']);
    expect(await considered(made, ['--only', 'services/billing'])).toEqual(['billing']);
    expect(await considered(made, ['--only', './services'])).toEqual([
      'billing',
      'orders',
      'orders-api',
      'site',
    ]);
    expect(await considered(made, ['--only', '...shared'])).toEqual(['billing', 'orders', 'orders-api']);
    expect(await considered(made, ['--only', 'orders-api...'])).toEqual(['orders', 'orders-api']);
    expect(await considered(made, ['--exclude', '...db'])).toEqual(['billing', 'site']);
  });

  it('say when a selector reaches only libraries, and how to reach their services', async () => {
    const result = await repo().run(['plan', '--only', 'shared']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'shipgraph: E_UNKNOWN_SERVICE: "shared" selects no service, only shared (fix: ...shared selects the services that depend on it)',
    );
  });
});
