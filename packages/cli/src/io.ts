// The process boundary, passed in so commands can be run and tested without touching globals.
export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
  /** Whether stderr is a terminal: progress is drawn in place there, and written as lines elsewhere. */
  stderrIsTTY: boolean;
  /** The terminal's size now (it can change while a deploy runs). */
  columns: () => number;
  rows: () => number;
}

export const processIo = (): Io => ({
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  now: () => new Date(),
  // isTTY is undefined, not false, on a pipe, whatever the types say.
  stderrIsTTY: (process.stderr as { isTTY?: boolean }).isTTY === true,
  columns: () => process.stderr.columns || 80,
  rows: () => process.stderr.rows || 24,
});

/**
 * A reader that stops early (`shipgraph plan --json | head -1`) closes the pipe: what it wanted was
 * written, so later writes are dropped instead of crashing the run, which ends with its own exit code.
 */
export function dropWritesToClosedPipes(): void {
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ERR_STREAM_DESTROYED') throw error;
    });
  }
}
