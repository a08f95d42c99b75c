// Runs moto, the local AWS emulator, from the project's .venv: install it, start/reset/stop it, and a CLI.
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { createServer } from 'node:net';
import { constants, tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const repoRoot = resolve(here, '../..');
const requirementFiles = ['requirements.txt', 'constraints.txt'].map((name) => join(here, name));
// moto_server's entry point plus two fixes: it exits with this process, and validates templates like AWS.
const serverScript = join(here, 'server.py');

/**
 * Installs moto into `<root>/.venv` unless the installed requirements already match the pinned ones.
 * Shows one line (`moto: installing moto into …/.venv… 41s`); pip's whole output only if it fails.
 */
export function ensureMoto({ root = repoRoot } = {}) {
  const venv = join(root, '.venv');
  const stampFile = join(venv, '.moto-requirements.sha256');
  const wanted = createHash('sha256')
    .update(requirementFiles.map((file) => readFileSync(file, 'utf8')).join('\0'))
    .digest('hex');
  const installed = existsSync(stampFile) ? readFileSync(stampFile, 'utf8').trim() : undefined;
  if (existsSync(join(venv, 'bin', 'moto_server')) && installed === wanted) return;

  const started = Date.now();
  const took = () => `${Math.round((Date.now() - started) / 1000)}s`;
  process.stderr.write(`moto: installing moto into ${venv} (about a minute, once)… `);
  const logDir = mkdtempSync(join(tmpdir(), 'moto-install-'));
  const log = join(logDir, 'install.log');
  try {
    runLogged('python3', ['-m', 'venv', venv], log);
    runLogged(
      join(venv, 'bin', 'pip'),
      ['install', '--disable-pip-version-check', '-r', requirementFiles[0]],
      log,
    );
  } catch (error) {
    process.stderr.write(
      `failed after ${took()}; what it printed:\n${readFileSync(log, 'utf8').trimEnd()}\n`,
    );
    throw error;
  } finally {
    rmSync(logDir, { recursive: true, force: true });
  }
  writeFileSync(stampFile, `${wanted}\n`);
  process.stderr.write(`${took()}\n`);
}

/**
 * Starts moto on a free port of 127.0.0.1 and resolves once it answers HTTP. Its log comes through a pipe
 * that this process's event loop reads: while moto runs, run other processes asynchronously (not
 * execFileSync), or the pipe fills and moto stalls.
 */
export async function startMoto({ root = repoRoot, timeoutMs = 30_000 } = {}) {
  const python = join(root, '.venv', 'bin', 'python');
  if (!existsSync(python)) throw new Error(`moto: ${python} is missing; run ensureMoto() first`);
  const port = await freePort();
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn(python, [serverScript, '-H', '127.0.0.1', '-p', String(port)], {
    // stdin stays open: server.py exits when it closes, that is when this process ends.
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => {
    stderr = (stderr + chunk).slice(-8_000);
  });
  let spawnError;
  child.on('error', (error) => {
    spawnError = error;
  });
  const exited = new Promise((resolve) => child.once('exit', resolve));
  const killNow = () => child.kill('SIGKILL');
  process.once('exit', killNow);

  const stop = async () => {
    process.off('exit', killNow);
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const stopped = await Promise.race([exited.then(() => true), delay(5_000, false, { ref: false })]);
    if (!stopped) {
      child.kill('SIGKILL');
      await exited;
    }
  };

  const deadline = Date.now() + timeoutMs;
  while ((await httpStatus('GET', `${endpoint}/moto-api/`).catch(() => 0)) !== 200) {
    const died = spawnError !== undefined || child.exitCode !== null || child.signalCode !== null;
    if (died || Date.now() > deadline) {
      await stop();
      const why = died ? 'exited while starting' : `did not answer within ${timeoutMs} ms`;
      throw new Error(`moto: ${why} on ${endpoint}; its stderr:\n${stderr.trim()}`, { cause: spawnError });
    }
    await delay(100);
  }
  return { endpoint, port, stop };
}

/** Forgets every resource moto holds, so each test starts from an empty account. */
export async function resetMoto(endpoint) {
  const status = await httpStatus('POST', `${endpoint}/moto-api/reset`);
  if (status !== 200) throw new Error(`moto: POST ${endpoint}/moto-api/reset answered HTTP ${status}`);
}

/**
 * Points AWS SDKs and the Serverless Framework at moto with credentials only moto accepts, and drops any
 * profile or session token so nothing can reach a real account. Mutates and returns `env`.
 */
export function useMoto(env, endpoint) {
  env.AWS_ENDPOINT_URL = endpoint;
  env.AWS_ACCESS_KEY_ID = 'test';
  env.AWS_SECRET_ACCESS_KEY = 'test';
  env.AWS_REGION ??= env.AWS_DEFAULT_REGION ?? 'us-east-1';
  env.AWS_DEFAULT_REGION ??= env.AWS_REGION;
  // The Serverless Framework polls stacks every 5 s, sized for AWS; moto finishes in milliseconds.
  env.SLS_AWS_MONITORING_FREQUENCY ??= '250';
  delete env.AWS_PROFILE;
  delete env.AWS_SESSION_TOKEN;
  return env;
}

/** Runs a step of the install with its output appended to `log`, which is shown only if a step fails. */
function runLogged(command, args, log) {
  const fd = openSync(log, 'a');
  try {
    const { status, error } = spawnSync(command, args, { stdio: ['ignore', fd, fd] });
    if (status !== 0) {
      const why = error?.message ?? `exit ${status}`;
      throw new Error(`moto: \`${command} ${args.join(' ')}\` failed (${why})`, { cause: error });
    }
  } finally {
    closeSync(fd);
  }
}

async function freePort() {
  const server = createServer().listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address();
  server.close();
  await once(server, 'close');
  return port;
}

function httpStatus(method, url) {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, timeout: 10_000 }, (res) => {
      res.resume().on('end', () => resolve(res.statusCode));
    });
    req.on('timeout', () => req.destroy(new Error(`moto: ${method} ${url} timed out`)));
    req.on('error', reject);
    req.end();
  });
}

function runCommand(command, args, env) {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: 'inherit', env });
    const forward = (signal) => child.kill(signal);
    process.on('SIGINT', forward).on('SIGTERM', forward);
    child.on('error', (error) => {
      console.error(`moto: cannot run ${command}: ${error.message}`);
      resolve(127);
    });
    child.on('exit', (code, signal) => {
      process.off('SIGINT', forward).off('SIGTERM', forward);
      resolve(code ?? 128 + constants.signals[signal]);
    });
  });
}

async function main([command, separator, ...commandLine]) {
  if (command === 'install' && separator === undefined) {
    ensureMoto();
    return 0;
  }
  if (command === 'run' && separator === '--' && commandLine.length > 0) {
    ensureMoto();
    const moto = await startMoto();
    console.error(`moto: listening on ${moto.endpoint}`);
    try {
      const [program, ...args] = commandLine;
      return await runCommand(program, args, useMoto({ ...process.env }, moto.endpoint));
    } finally {
      await moto.stop();
    }
  }
  console.error('usage: node tools/moto/moto.mjs install | run -- <command...>');
  return 2;
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  process.exitCode = await main(process.argv.slice(2)).catch((error) => {
    console.error(error.message);
    return 1;
  });
}
