// `shipgraph destroy`: reverse dependency order, confirmation, protected stages, failures that keep what is needed.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { commandRepo, deploy } from './helpers/deploys.js';

const recorded = (dir: string, stage = 'staging'): string[] =>
  Object.keys(
    (JSON.parse(readFileSync(join(dir, `.shipgraph/state/${stage}.json`), 'utf8')) as { services: object })
      .services,
  ).sort();

/** a ← b ← c, and d alone; all deployed to staging. */
async function deployed(extraConfig: object = {}) {
  const repo = commandRepo({ a: [], b: ['a'], c: ['b'], d: [] });
  const config = JSON.parse(readFileSync(join(repo.dir, 'shipgraph.config.json'), 'utf8')) as object;
  repo.write({ 'shipgraph.config.json': { ...config, ...extraConfig } });
  repo.commit();
  expect((await deploy(repo)).exitCode).toBe(0);
  return repo;
}

/** The remove command's own lines, in order (a failure's last lines, repeated under it, are indented). */
const removals = (stderr: string): string[] =>
  [...stderr.matchAll(/^\[\w+ destroy\] removing (\w+) from staging\/us-east-1$/gm)].map(
    (match) => match[1] ?? '',
  );

describe('destroy', () => {
  it('removes dependents first, then what they depend on, and forgets them', async () => {
    const repo = await deployed();
    const result = await repo.run(['destroy', '--yes']);
    expect(result.exitCode).toBe(0);
    expect(removals(result.stderr)).toEqual(['c', 'b', 'a', 'd']);
    expect(result.stdout).toBe(['c  removed', 'b  removed', 'a  removed', 'd  removed'].join('\n'));
    expect(recorded(repo.dir)).toEqual([]);
  });

  it('--only removes just those services', async () => {
    const repo = await deployed();
    const result = await repo.run(['destroy', '--yes', '--only', 'c,d']);
    expect(removals(result.stderr)).toEqual(['c', 'd']);
    expect(recorded(repo.dir)).toEqual(['a', 'b']);
  });

  it('keeps what a service that failed to go still depends on', async () => {
    const repo = await deployed();
    repo.write({ 'deploy-behaviour.json': { b: { failRemove: true } } });
    const result = await repo.run(['destroy', '--yes']);
    expect(result.exitCode).toBe(1);
    expect(removals(result.stderr)).toEqual(['c', 'b', 'd']);
    expect(result.stdout).toContain('a  kept  b could not be removed and depends on it');
    expect(recorded(repo.dir)).toEqual(['a', 'b']);
  });

  it('asks for --yes when no one can confirm, and removes nothing', async () => {
    const repo = await deployed();
    const result = await repo.run(['destroy']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toBe(
      'shipgraph: E_CONFIRM: destroy would remove c, b, a, d from stage staging; it needs --yes when no one can confirm (fix: pass --yes (in CI) or run it in a terminal)',
    );
    expect(recorded(repo.dir)).toEqual(['a', 'b', 'c', 'd']);
  });

  it('refuses a protected stage unless --force', async () => {
    const repo = await deployed({ stages: { staging: { protected: true } } });
    const refused = await repo.run(['destroy', '--yes']);
    expect(refused.exitCode).toBe(2);
    expect(refused.stderr).toBe(
      'shipgraph: E_PROTECTED: stage staging is protected; shipgraph destroy leaves it alone (fix: pass --force if you really mean to remove it)',
    );
    expect(recorded(repo.dir)).toEqual(['a', 'b', 'c', 'd']);
    expect((await repo.run(['destroy', '--yes', '--force'])).exitCode).toBe(0);
    expect(recorded(repo.dir)).toEqual([]);
  });
});
