// Races many processes for one stage lock, round after round, and reports who won each round.
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const CONTENDER = fileURLToPath(new URL('../fixtures/lock-contender.mjs', import.meta.url));

/**
 * Starts `contenders` processes, then for each round lets them all call tryLock at once (they wait on
 * a file), collects who won, and frees the lock with `free` before the next round. Resolves to the
 * winners of each round.
 */
export async function lockRace(options: {
  backend: 'file' | 'dynamodb';
  where: string;
  contenders: number;
  rounds: number;
  free: () => Promise<void>;
}): Promise<string[][]> {
  const barrier = mkdtempSync(join(tmpdir(), 'shipgraph-race-'));
  const children = Array.from({ length: options.contenders }, (_, id) =>
    spawn('node', [CONTENDER, options.backend, options.where, barrier, String(id), String(options.rounds)], {
      stdio: ['ignore', 'ignore', 'inherit'],
    }),
  );
  const exits = children.map((child) => new Promise((resolve) => child.on('close', resolve)));
  const winners: string[][] = [];
  try {
    for (let round = 0; round < options.rounds; round++) {
      writeFileSync(join(barrier, `go-${round}`), '');
      const results = (): string[] =>
        readdirSync(barrier).filter((name) => name.startsWith(`result-${round}-`) && !name.endsWith('.tmp'));
      const deadline = Date.now() + 30_000;
      while (results().length < options.contenders) {
        if (Date.now() > deadline)
          throw new Error(`round ${round}: only ${results().length} contenders answered`);
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      winners.push(
        results()
          .filter((name) => readFileSync(join(barrier, name), 'utf8') === 'won')
          .map((name) => name.slice(`result-${round}-`.length)),
      );
      await options.free();
    }
    await Promise.all(exits);
  } finally {
    for (const child of children) child.kill();
    if (existsSync(barrier)) rmSync(barrier, { recursive: true, force: true });
  }
  return winners;
}
