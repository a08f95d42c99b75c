// `shipgraph plan`: the dry run: which services deploy, why, and in which order.
import { ShipgraphError } from '@shipgraph/core';
import { planFromRepository, type GraphSource } from '../planning/load.js';
import type { PlanFlags } from '../planning/options.js';
import { renderDot, renderMermaid } from '../render/graph.js';
import { renderCodeBuildBatch, renderGithubMatrix } from '../render/fan-out.js';
import { renderTable } from '../render/table.js';
import type { Io } from './io.js';

export const PLAN_FORMATS = ['table', 'json', 'mermaid', 'dot', 'codebuild-batch', 'github-matrix'] as const;
export type PlanFormat = (typeof PLAN_FORMATS)[number];

export interface PlanCommandFlags extends PlanFlags {
  format: PlanFormat;
  explain: boolean;
  checkStacks: boolean;
}

export async function planCommand(flags: PlanCommandFlags, io: Io): Promise<number> {
  if (flags.explain && flags.format !== 'table') {
    throw new ShipgraphError('E_USAGE', '--explain goes with the table output', {
      hint: 'drop --explain, or drop --json/--format',
    });
  }
  const { plan, checkout, stage, store } = await planFromRepository(io.cwd, flags, io.env, {
    checkStacks: flags.checkStacks,
  });
  for (const warning of checkout.warnings) io.stderr(`shipgraph: warning: ${warning}\n`);
  const fanOut = flags.format === 'codebuild-batch' || flags.format === 'github-matrix';
  if (fanOut && store.serviceLocks === undefined) {
    throw new ShipgraphError(
      'E_CONFIG',
      `--format ${flags.format} spreads the deploys over many builds, which cannot share the ${checkout.config.state.backend} state backend (${store.describe(stage.name)})`,
      { hint: 'set "state": { "backend": "dynamodb", "table": "..." } in shipgraph.config.json' },
    );
  }
  switch (flags.format) {
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
        io.stderr(
          `workspace: ${checkout.workspace.packages.length} packages (${services} services) from ${describeSources(checkout.workspace.sources)}; ` +
            `graph: ${describeGraph(checkout.graph)}; ` +
            `config: ${checkout.config.file ?? 'none (defaults)'}; state: ${store.describe(stage.name)}; regions: ${stage.regions.join(', ')}\n`,
        );
      }
      io.stdout(renderTable(plan, flags.explain));
      break;
  }
  return 0;
}

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
