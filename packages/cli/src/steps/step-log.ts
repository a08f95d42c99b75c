// One log file per deploy, e2e run or removal; each line also goes to the reporter, and the last ones
// are kept to show under a failure.
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
  /** The last lines written, oldest first. */
  lastLines: () => string[];
  close: () => Promise<void>;
}

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
  return {
    path: relative(root, file),
    line: (text) => {
      // Colours are for terminals: a log file keeps the text.
      const bare = stripVTControlCharacters(text);
      stream.write(`${bare}\n`);
      last.push(bare);
      if (last.length > FAILURE_LINES) last.shift();
      echo(text);
    },
    lastLines: () => [...last],
    close: () => new Promise((resolve) => stream.end(resolve)),
  };
}
