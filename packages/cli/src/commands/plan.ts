// `shipgraph plan`: the dry run: which services deploy, why, and in which order.
import { CliError } from '../errors.js';
import type { GraphSource } from '../planning/checkout.js';
import { planRun } from '../planning/plan-run.js';
import { renderDot, renderMermaid } from '../render/graph.js';
import { renderCodeBuildBatch, renderGithubMatrix } from '../render/fan-out.js';
import { renderTable } from '../render/table.js';
import { openReport } from '../report/run-report.js';
import { openRun } from '../run/context.js';
import { defineCommand } from './command.js';
import { planFlags, reportFlags, withFlags, type Flag } from './options.js';

const FORMATS = ['table', 'json', 'mermaid', 'dot', 'codebuild-batch', 'github-matrix'] as const;

const OPTIONS = {
  ...planFlags,
  stage: { ...planFlags.stage, describe: 'Stage to plan for (default: $STAGE, then the config default)' },
  json: { type: 'boolean', describe: 'Print the plan as one JSON document (same as --format json)' },
  format: { choices: FORMATS, default: FORMATS[0], describe: 'Output format' },
  explain: { type: 'boolean', default: false, describe: 'Show the files behind each reason' },
  'check-stacks': {
    type: 'boolean',
    default: false,
    describe: 'Ask CloudFormation which stacks exist (a missing stack deploys); needs AWS credentials',
  },
  ...reportFlags,
} as const satisfies Record<string, Flag>;

export const command = defineCommand({
  examples: [
    ['$0 plan', 'What would deploy to the default stage, and why'],
    ['$0 plan --stage prod --explain', 'The same for prod, with the files behind each reason'],
    ["$0 plan --only '...@acme/shared' --json", 'The services that use @acme/shared, as JSON'],
  ],

  options: OPTIONS,
  flags: (argv) => withFlags(argv, OPTIONS),

  async run(flags, io) {
    const format = flags.json === true ? 'json' : flags.format;
    if (flags.explain && format !== 'table') {
      throw new CliError('E_USAGE', '--explain goes with the table output', {
        hint: 'drop --explain, or drop --json/--format',
      });
    }
    const context = await openRun(io, { ...flags, build: true });
    const { checkout, stage, store } = context;
    await using report = await openReport(flags.report, 'plan', context);
    const plan = await planRun(context, await store.read(stage.name), flags);
    report.plan = plan;
    for (const warning of checkout.warnings) io.stderr(`shipgraph: warning: ${warning}\n`);
    const fanOut = format === 'codebuild-batch' || format === 'github-matrix';
    if (fanOut && store.serviceLocks === undefined) {
      throw new CliError(
        'E_CONFIG',
        `--format ${format} spreads the deploys over many builds, which cannot share the ${checkout.config.state.backend} state backend (${store.describe(stage.name)})`,
        { hint: 'set "state": { "backend": "dynamodb", "table": "..." } in shipgraph.config.json' },
      );
    }
    switch (format) {
      case 'json':
        io.stdout(JSON.stringify(plan, null, 2) + '\n');
        break;
      case 'mermaid':
        io.stdout(renderMermaid(checkout.workspace, plan));
        break;
      case 'dot':
        io.stdout(renderDot(checkout.workspace, plan));
        break;
      case 'codebuild-batch':
        io.stdout(renderCodeBuildBatch(plan));
        break;
      case 'github-matrix':
        io.stdout(renderGithubMatrix(plan));
        break;
      case 'table':
        if (flags.explain) {
          const services = checkout.workspace.packages.filter((pkg) => pkg.isService).length;
          const packages = checkout.workspace.packages.length;
          io.stderr(
            `workspace: ${counted(packages, 'package')} (${counted(services, 'service')}) from ${describeSources(checkout.workspace.sources)}; ` +
              `graph: ${describeGraph(checkout.graph)}; ` +
              `config: ${checkout.config.file ?? 'none (defaults)'}; state: ${store.describe(stage.name)}; regions: ${stage.regions.join(', ')}\n`,
          );
        }
        io.stdout(renderTable(plan, flags.explain, checkout.workspace));
        break;
    }
    await report.write();
    return 0;
  },
});

const counted = (count: number, what: string): string => `${count} ${what}${count === 1 ? '' : 's'}`;

const describeSources = (sources: readonly string[]): string =>
  sources.length === 0
    ? 'nothing (no workspaces, lerna, Nx projects or configured services)'
    : sources.join(' + ');

function describeGraph(graph: GraphSource): string {
  if (graph.kind === 'packages') return `package.json and project.json (${graph.why})`;
  const cache = {
    hit: `cached in ${graph.cacheDir}, reused`,
    miss: `run now, cached in ${graph.cacheDir}`,
    off: 'run now, not cached: files it reads have uncommitted changes',
  }[graph.cache];
  return `Nx project graph (${cache})`;
}
