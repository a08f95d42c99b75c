// The config validator is compiled from the schema ahead of time; it must be what the schema gives now.
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';

const SCRIPT = fileURLToPath(new URL('../scripts/compile-schema.mjs', import.meta.url));

describe('schema/validate-config.js and validate-plan.js', () => {
  it('match config.schema.json and plan.schema.json (else: npm run schema)', async () => {
    const check = await execa('node', [SCRIPT, '--check'], { reject: false });
    expect({ exitCode: check.exitCode, stderr: check.stderr }).toEqual({ exitCode: 0, stderr: '' });
  });
});
