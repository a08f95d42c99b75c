// One log file per deploy or e2e run, and the same lines on stderr with a `[service/region]` prefix.
import { createWriteStream } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { stripVTControlCharacters } from 'node:util';
import { fileSafe } from './outputs.js';

export interface StepLog {
  /** Repository-relative path of the log file. */
  path: string;
  line: (text: string) => void;
  close: () => Promise<void>;
}

export async function openStepLog(
  root: string,
  stage: string,
  name: string,
  prefix: string,
  echo: (line: string) => void,
): Promise<StepLog> {
  const dir = join(root, '.shipgraph', 'logs', stage);
  await mkdir(dir, { recursive: true });
  const file = join(dir, `${fileSafe(name)}.log`);
  const stream = createWriteStream(file);
  return {
    path: relative(root, file),
    line: (text) => {
      // Colours are for terminals: a log file keeps the text.
      stream.write(`${stripVTControlCharacters(text)}\n`);
      echo(`${prefix} ${text}`);
    },
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}
