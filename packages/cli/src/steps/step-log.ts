// One log file per deploy, e2e run or removal; each line also goes to the reporter, and what a failure
// shows is kept: the first lines that look like the error, and the last lines.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { FAILURE_LINES } from '../progress/contract.js';
import { fileSafe } from './outputs.js';

export interface StepLog {
  /** Repository-relative path of the log file. */
  path: string;
  line: (text: string) => void;
  /**
   * What a failure shows: its last lines, after the first lines that look like the error when those
   * scrolled out of them (a test runner's cause, printed before a long summary).
   */
  excerpt: () => string[];
  /** The tool's own line that says what went wrong, if one looks like it. */
  errorLine: () => string | null;
  close: () => Promise<void>;
}

// What tools print where the cause is: `Error: ...` (node, osls's `Error:` header), `error: ...` (npm,
// git, tsc), `npm ERR!`, `Cannot find module ...`, and a stack's first frame under them.
const ERRORISH = [/\bError\b/, /\berror:/i, /\bERR!/, /Cannot find\b/];
// What a package manager adds after a script failed: that it failed, which the exit code says already.
const WRAPPER = [
  /^npm (error|ERR!) (Lifecycle script|code\b|path\b|workspace\b|location\b|command\b|A complete log)/,
  /\bELIFECYCLE\b/,
  /^error Command failed with exit code \d+/,
];
const errorish = (line: string): boolean =>
  ERRORISH.some((pattern) => pattern.test(line)) && !WRAPPER.some((pattern) => pattern.test(line));
// The first error-looking line and what follows it, at most.
const ERROR_LINES = 5;

/** A line that only announces the error that follows it: `Error:`, `Error ---`, `error:`. */
const headerOnly = (line: string): boolean => /^\W*error\W*$/i.test(line.trim());

export async function openStepLog(
  root: string,
  stage: string,
  name: string,
  echo: (line: string) => void,
): Promise<StepLog> {
  const dir = join(root, '.shipgraph', 'logs', stage);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${fileSafe(name)}.log`);
  const stream = createWriteStream(file);
  const last: string[] = [];
  let written = 0;
  // The first error-looking line (its number) and the lines after it, up to ERROR_LINES in all.
  const error: { at: number; lines: string[] } = { at: -1, lines: [] };
  return {
    path: relative(root, file),
    line: (text) => {
      // Colours are for terminals: a log file keeps the text.
      const bare = stripVTControlCharacters(text);
      stream.write(`${bare}\n`);
      if (error.at < 0 && errorish(bare)) error.at = written;
      if (error.at >= 0 && error.lines.length < ERROR_LINES && bare.trim() !== '') error.lines.push(bare);
      written++;
      last.push(bare);
      if (last.length > FAILURE_LINES) last.shift();
      echo(text);
    },
    excerpt: () => {
      const shownFrom = written - last.length;
      if (error.at < 0 || error.at >= shownFrom) return [...last];
      return [...error.lines, '…', ...last];
    },
    errorLine: () => {
      const [first, ...rest] = error.lines;
      if (first === undefined) return null;
      return (headerOnly(first) ? rest[0] : first)?.trim() ?? null;
    },
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}
