// Every command, found by name and loaded only when it runs (or shows its help, or completes).
import type { Command } from './command.js';
import { declaredFlags } from './options.js';
import { plainFlags } from './plain-flags.js';

export interface Entry {
  /** The command as yargs matches it, with its positionals. */
  usage: string;
  describe: string;
  /** Loaded only when it runs (or shows its help): `plan` never pays for deploy's modules. */
  load?: () => Promise<{ command: Command<unknown> }>;
  subcommands?: readonly Entry[];
}

export const COMMANDS: readonly Entry[] = [
  {
    usage: 'plan',
    describe: 'Show which services would deploy, why, and in which order (dry run)',
    load: () => import('./plan.js'),
  },
  {
    usage: 'deploy',
    describe: 'Deploy what the plan says, in dependency order, and record it (the CodeBuild build phase)',
    load: () => import('./deploy.js'),
  },
  {
    usage: 'promote',
    describe: 'Deploy to a stage exactly the packages another stage deployed and proved (staging → prod)',
    load: () => import('./promote.js'),
  },
  {
    usage: 'rollback',
    describe: "Move services' aliases back to the versions they served before (lambda deployer)",
    load: () => import('./rollback.js'),
  },
  {
    usage: 'e2e [services..]',
    describe: "Run services' end-to-end tests against a stage, without deploying",
    load: () => import('./e2e.js'),
  },
  {
    usage: 'destroy',
    describe: "Remove a stage's services (dependents first) and forget them",
    load: () => import('./destroy.js'),
  },
  {
    usage: 'unlock',
    describe: "Break a stage's deploy lock left by a run that is gone",
    load: () => import('./unlock.js'),
  },
  {
    usage: 'state',
    describe: 'Read or record what is deployed',
    subcommands: [
      {
        usage: 'show',
        describe: 'Print what is recorded as deployed in a stage',
        load: () => import('./state-show.js'),
      },
      {
        usage: 'mark',
        describe: 'Record services as deployed at a commit (to adopt stacks that already exist)',
        load: () => import('./state-mark.js'),
      },
      {
        usage: 'init',
        describe: 'Create the DynamoDB state table the config names',
        load: () => import('./state-init.js'),
      },
    ],
  },
];

export const names = (entries: readonly Entry[]): string[] =>
  entries.map((entry) => entry.usage.split(' ')[0] ?? '');

/** The entries named by `words` (`['state', 'mark']`), as far as they go, and the first word that names none. */
export function findEntries(words: readonly string[]): { found: Entry[]; unknown: string | null } {
  const found: Entry[] = [];
  let level = COMMANDS;
  for (const word of words) {
    const entry = level.find((candidate) => names([candidate])[0] === word);
    if (entry === undefined) return { found, unknown: word };
    found.push(entry);
    level = entry.subcommands ?? [];
  }
  return { found, unknown: null };
}

/** What the shell may complete after `words`: the subcommands there, or the command's flags. */
export async function completionsAfter(words: readonly string[], current: string): Promise<string[]> {
  const { found, unknown } = findEntries(words);
  if (unknown !== null) return [];
  const entry = found.at(-1);
  if (!current.startsWith('-')) {
    return entry === undefined ? [...names(COMMANDS), 'help', 'completion'] : names(entry.subcommands ?? []);
  }
  const global = ['--help', '--version', '--debug'];
  if (entry?.load === undefined) return global;
  const { default: yargs } = await import('yargs');
  const flags = declaredFlags((await entry.load()).command.flags(yargs([])));
  return [...flags.map((flag) => `--${flag}`), ...global.filter((flag) => !flags.includes(flag.slice(2)))];
}

/**
 * The command `args` name, with its flags, when the line is plain enough to read without yargs (see
 * plainFlags); null for anything else, which yargs reads.
 */
export async function plainCommand(
  args: readonly string[],
): Promise<{ command: Command<unknown>; flags: Record<string, unknown> } | null> {
  const [name = '', ...words] = args;
  const entry = COMMANDS.find((candidate) => candidate.usage === name);
  if (entry?.load === undefined) return null;
  const { command } = await entry.load();
  const flags = command.options === undefined ? null : plainFlags(name, words, command.options);
  return flags === null ? null : { command, flags };
}
