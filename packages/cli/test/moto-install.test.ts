// Installing moto (tools/moto/moto.mjs ensureMoto, what `npm run demo` and .ci/run start with): one line
// of progress, and pip's whole output only when the install fails. A stand-in python3 makes a venv
// whose pip prints as much as the real one does, so nothing is downloaded.
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { describe, expect, it } from 'vitest';
import { tempDir } from './helpers/repo.js';

const MOTO_URL = new URL('../../../tools/moto/moto.mjs', import.meta.url);
const MOTO = fileURLToPath(MOTO_URL);

/** What the stand-in pip prints: 120 lines on stdout, and a warning on stderr in the middle. */
const PIP_LINES = Array.from({ length: 120 }, (_, i) =>
  i === 60 ? 'WARNING: a warning pip writes on stderr' : `Collecting package-${i} (from moto[server]==5.2.5)`,
);

/** `python3 -m venv <dir>` makes <dir>/bin/pip: it prints PIP_LINES, then fails or installs moto_server. */
const FAKE_PYTHON = `#!/usr/bin/env node
const { mkdirSync, writeFileSync } = require('node:fs');
const { join } = require('node:path');
const bin = join(process.argv[4], 'bin');
mkdirSync(bin, { recursive: true });
writeFileSync(join(bin, 'pip'), ${JSON.stringify(`#!/usr/bin/env node
const { writeFileSync } = require('node:fs');
const { join } = require('node:path');
for (const line of ${JSON.stringify(PIP_LINES)}) (line.startsWith('WARNING') ? process.stderr : process.stdout).write(line + '\\n');
if (process.env.FAKE_PIP === 'fail') {
  console.error('ERROR: No matching distribution found for moto[server]==5.2.5');
  process.exit(1);
}
writeFileSync(join(__dirname, 'moto_server'), '');
`)}, { mode: 0o755 });
`;

/** ensureMoto in a process of its own, as the demo runs it, with the stand-in python3 first on PATH. */
async function install(pip: 'succeed' | 'fail') {
  const root = tempDir();
  const bin = join(root, 'fake-bin');
  const python = join(bin, 'python3');
  mkdirSync(bin);
  writeFileSync(python, FAKE_PYTHON);
  chmodSync(python, 0o755);
  const script = [
    `import { ensureMoto } from ${JSON.stringify(MOTO_URL.href)};`,
    // As `node tools/moto/moto.mjs install` reports a failure: the error's message, exit 1.
    `try { ensureMoto({ root: ${JSON.stringify(root)} }); } catch (error) { console.error(error.message); process.exitCode = 1; }`,
  ].join('\n');
  const result = await execa('node', ['--input-type=module', '-e', script], {
    env: { PATH: `${bin}:${process.env.PATH ?? ''}`, FAKE_PIP: pip },
    extendEnv: false,
    reject: false,
  });
  const stderr = result.stderr
    .replaceAll(root, '<root>')
    .replaceAll(MOTO.replace(/moto\.mjs$/, ''), '<moto>/');
  return {
    root,
    exitCode: result.exitCode,
    stdout: result.stdout,
    stderr: stderr.replace(/\b\d+s\b/g, 'Ns'),
  };
}

describe('installing moto', () => {
  it('shows one line, with how long it took, and none of pip’s output', async () => {
    const { root, exitCode, stdout, stderr } = await install('succeed');
    expect({ exitCode, stdout, stderr }).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: 'moto: installing moto into <root>/.venv (about a minute, once)… Ns',
    });
    expect(existsSync(join(root, '.venv/.moto-requirements.sha256'))).toBe(true);
  });

  it('shows all that pip printed, in order, when it fails, then what failed', async () => {
    const { exitCode, stderr } = await install('fail');
    expect(exitCode).toBe(1);
    expect(stderr).toBe(
      [
        'moto: installing moto into <root>/.venv (about a minute, once)… failed after Ns; what it printed:',
        ...PIP_LINES,
        'ERROR: No matching distribution found for moto[server]==5.2.5',
        'moto: `<root>/.venv/bin/pip install --disable-pip-version-check -r <moto>/requirements.txt` failed (exit 1)',
      ].join('\n'),
    );
  });
});
