// The process boundary, passed in so commands can be run and tested without touching globals.
export interface Io {
  cwd: string;
  env: NodeJS.ProcessEnv;
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  now: () => Date;
}

export const processIo = (): Io => ({
  cwd: process.cwd(),
  env: process.env,
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  now: () => new Date(),
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
