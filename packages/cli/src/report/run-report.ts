// `--report file.html`: collects what a run did and writes it as one HTML file when the run ends,
// however it ends (a failed deploy is when the report matters most), atomically.
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, stat, writeFile } from 'node:fs/promises';
import { basename, dirname, join, resolve } from 'node:path';
import type { Plan } from '@shipgraph/core';
import type { ExecutedRun } from '../deploy/execute.js';
import type { E2eResult } from '../e2e/e2e-step.js';
import { CliError } from '../errors.js';
import type { RunContext } from '../run/context.js';
import { runFacts, type ReportCommand } from './facts.js';

const HINT = 'pass --report a file in a directory you can write to, e.g. --report reports/shipgraph.html';

/** What the run got to; whatever is set when it ends is in the report. `await using` writes it then. */
export class RunReport implements AsyncDisposable {
  plan: Plan | null = null;
  /** The deploys and e2e runs, when the command ran them. */
  run: ExecutedRun | null = null;
  e2e: E2eResult[] | null = null;
  /** Lines shown at the top: why nothing deployed, what a teardown removed. */
  notes: string[] = [];
  private written = false;

  constructor(
    private readonly file: { given: string; path: string } | null,
    private readonly command: ReportCommand,
    private readonly context: RunContext,
  ) {}

  /** Writes the report of a run that got to its end; E_REPORT when it cannot. */
  async write(): Promise<void> {
    this.written = true;
    await this.save(false);
  }

  /** A run that threw before `write`: the report says it stopped early; the error is the run's to report. */
  async [Symbol.asyncDispose](): Promise<void> {
    if (this.written) return;
    this.written = true;
    await this.save(true).catch((error: unknown) => {
      this.context.log(`shipgraph: could not write the report either: ${(error as Error).message}`);
    });
  }

  private async save(stoppedEarly: boolean): Promise<void> {
    if (this.file === null) return;
    const { checkout } = this.context;
    // Loaded only when a report is asked for: every plan and deploy opens one, few write one.
    const { reportHtml } = await import('./document.js');
    const page = reportHtml({
      facts: runFacts(this.command, this.context),
      workspace: checkout.workspace,
      plan: this.plan,
      run: this.run,
      e2e: this.e2e,
      notes: this.notes,
      stoppedEarly,
    });
    await writeAtomically(this.file, page);
    this.context.log(`report: ${this.file.given}`);
  }
}

/** Checks before the run does anything that the report can be written where asked. */
export async function openReport(
  given: string | undefined,
  command: ReportCommand,
  context: RunContext,
): Promise<RunReport> {
  if (given === undefined) return new RunReport(null, command, context);
  const file = { given, path: resolve(context.io.cwd, given) };
  // Tried now, so a path that cannot be written fails before anything deploys.
  await writeAtomically(file, null);
  return new RunReport(file, command, context);
}

/**
 * A reader (or CodeBuild's artifact upload) never sees half a report: a temporary file beside it,
 * then a rename. Without text, only tries that the temporary file can be made.
 */
async function writeAtomically(file: { given: string; path: string }, text: string | null): Promise<void> {
  const temporary = join(dirname(file.path), `.${basename(file.path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    if ((await stat(file.path).catch(() => null))?.isDirectory() === true)
      throw new Error('it is a directory');
    await mkdir(dirname(file.path), { recursive: true });
    await writeFile(temporary, text ?? '');
    if (text === null) await rm(temporary);
    else await rename(temporary, file.path);
  } catch (error) {
    await rm(temporary, { force: true }).catch(() => undefined);
    const why = ['ENOTDIR', 'EEXIST'].includes((error as NodeJS.ErrnoException).code ?? '')
      ? 'a file stands where a directory should be'
      : (error as Error).message;
    throw new CliError('E_REPORT', `cannot write the report ${file.given}: ${why}`, {
      hint: HINT,
      cause: error,
    });
  }
}
