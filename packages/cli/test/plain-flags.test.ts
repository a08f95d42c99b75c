// A plain `plan` command line is read without yargs: it must give the command exactly what yargs
// gives it, and leave every other line to yargs.
import yargs from 'yargs';
import { describe, expect, it } from 'vitest';
import { command } from '../src/commands/plan.js';
import { GLOBAL_FLAGS, plainFlags } from '../src/commands/plain-flags.js';

/** What `shipgraph plan <words>` hands the command through yargs, declared as main.ts declares it. */
async function throughYargs(words: string[]): Promise<unknown> {
  let flags: unknown;
  await yargs(['plan', ...words])
    .scriptName('shipgraph')
    .options(GLOBAL_FLAGS)
    .command(
      'plan',
      '',
      (sub) => command.flags(sub),
      (parsed) => {
        flags = parsed;
      },
    )
    .strict()
    .exitProcess(false)
    .fail((message: string | null, error: Error | undefined) => {
      throw error ?? new Error(message ?? 'yargs failed');
    })
    .parseAsync();
  return flags;
}

const options = command.options ?? {};

describe('plain flags', () => {
  it.each([
    [[]],
    [['--json']],
    [['--json', '--base', 'HEAD~3']],
    [['--json', '--base', 'HEAD~3', '--head', '4f2a9c1']],
    [['--base=HEAD~3', '--head=main', '--stage', 'prod']],
    [['--format', 'mermaid', '--all']],
    [['--format=github-matrix', '--check-stacks', '--debug']],
    [['--explain', '--stage', 'staging', '--report', 'reports/plan.html']],
    [['--base', 'origin/main', '--json', '--check-stacks']],
  ])('plan %j gives the command what yargs gives it', async (words) => {
    const plain = plainFlags('plan', words, options);
    expect(plain).not.toBeNull();
    expect(plain).toEqual(await throughYargs(words));
  });

  it.each([
    // yargs reads these differently from a lone flag, or explains, or rejects them.
    [['--json', 'false'], 'a boolean with a value'],
    [['--json=false'], 'a boolean with a value'],
    [['--no-json'], 'a negation'],
    [['--only', 'orders,billing'], 'a list'],
    [['--base', 'a', '--base', 'b'], 'a repeated flag'],
    [['--base'], 'a flag without its value'],
    [['--base', '--json'], 'a value that is a flag'],
    [['--base='], 'an empty value'],
    [['--format', 'yaml'], 'a value that is not a choice'],
    [['--jsno'], 'an unknown flag'],
    [['--help'], 'help'],
    [['-h'], 'a short flag'],
    [['HEAD~3'], 'a positional'],
    [['--checkStacks'], 'a camel-case name'],
    [['--', '--json'], 'the end of flags'],
  ])('plan %j is left to yargs (%s)', (words) => {
    expect(plainFlags('plan', words, options)).toBeNull();
  });

  it('a repeated flag is what yargs reads differently: a list', async () => {
    expect(await throughYargs(['--base', 'a', '--base', 'b'])).toMatchObject({ base: ['a', 'b'] });
    expect(await throughYargs(['--json', 'false'])).toMatchObject({ json: false });
  });

  it('checks each value as withFlags does, failing with the same error as through yargs', async () => {
    const words = ['--report', ' '];
    expect(() => plainFlags('plan', words, options)).toThrow('--report was given no file');
    await expect(throughYargs(words)).rejects.toThrow('--report was given no file');
  });
});
