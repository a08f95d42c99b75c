// The default state backend: one JSON file per stage in the repository (`.shipgraph/state/<stage>.json`).
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { ShipgraphError, type ServiceRecord, type StageState } from '@shipgraph/core';
import { emptyState, type StateStore } from './store.js';

export class FileStateStore implements StateStore {
  constructor(
    private readonly root: string,
    private readonly dir: string,
  ) {}

  describe(stage: string): string {
    return relative(this.root, this.fileOf(stage)) || this.fileOf(stage);
  }

  async read(stage: string): Promise<StageState> {
    let text: string;
    try {
      text = await readFile(this.fileOf(stage), 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return emptyState(stage);
      throw new ShipgraphError(
        'E_STATE',
        `cannot read ${this.describe(stage)}: ${(error as Error).message}`,
        {
          cause: error,
        },
      );
    }
    return parseState(text, stage, this.describe(stage));
  }

  async write(state: StageState): Promise<void> {
    const file = this.fileOf(state.stage);
    await mkdir(dirname(file), { recursive: true });
    // Write then rename, so a crash never leaves a half-written state file.
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, JSON.stringify(state, null, 2) + '\n');
    await rename(temporary, file);
  }

  private fileOf(stage: string): string {
    return join(this.root, this.dir, `${stage}.json`);
  }
}

export function parseState(text: string, stage: string, where: string): StageState {
  const fail = (problem: string): ShipgraphError =>
    new ShipgraphError('E_STATE', `${where} ${problem}`, {
      hint: `fix or delete it, then run "shipgraph state mark --stage ${stage}" to record what is deployed`,
    });
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw fail('is not valid JSON');
  }
  const state = parsed as { version?: unknown; services?: unknown } | null;
  if (state?.version !== 1 || typeof state.services !== 'object' || state.services === null) {
    throw fail('is not a shipgraph state file (version 1)');
  }
  for (const [name, record] of Object.entries(state.services)) {
    if (!isRecord(record)) throw fail(`has a malformed record for ${name}`);
  }
  return { version: 1, stage, services: state.services as StageState['services'] };
}

const isRecord = (value: unknown): value is ServiceRecord => {
  const record = value as Partial<ServiceRecord> | null;
  return (
    typeof record?.commit === 'string' &&
    /^[0-9a-f]{40}$/.test(record.commit) &&
    (record.fingerprint === null || typeof record.fingerprint === 'string') &&
    typeof record.deployedAt === 'string' &&
    Array.isArray(record.regions)
  );
};
