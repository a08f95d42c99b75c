// The default plan output: one row per service, then a one-line summary.
import type { EdgeSource, Plan, Workspace } from '@shipgraph/core';
import { columns } from './columns.js';
import { deploysWord, describeReason } from './reasons.js';

/**
 * With `explain`, each service's edges, the files behind its reasons (what changed in a dependency
 * too), and the references out of it that were not followed.
 */
export function renderTable(plan: Plan, explain: boolean, workspace?: Workspace): string {
  const unfollowed = new Map(
    (workspace?.packages ?? []).map((pkg) => [pkg.name, pkg.unfollowedReferences ?? []]),
  );
  const edges = new Map((workspace?.packages ?? []).map((pkg) => [pkg.name, pkg.dependsOn]));
  const rows = plan.services.map((service) => [
    service.name,
    deploysWord(service),
    service.batch === null ? '-' : String(service.batch),
    service.reasons.length === 0 ? '-' : service.reasons.map(describeReason).join('; '),
  ]);
  const [header = '', ...lines] = columns(['SERVICE', 'DEPLOY', 'BATCH', 'REASONS'], rows);
  const out = [header];
  plan.services.forEach((service, i) => {
    out.push(lines[i] ?? '');
    if (!explain) return;
    if (service.base !== null) out.push(`    base ${service.base}`);
    const dependsOn = edges.get(service.name) ?? [];
    if (dependsOn.length > 0)
      out.push(
        `    depends on: ${dependsOn.map((edge) => `${edge.name} (${EDGE_WORDS[edge.source]})`).join(', ')}`,
      );
    for (const reason of service.reasons) {
      if (reason.kind === 'dependency' && reason.via !== undefined) {
        const files = service.upstreamChanges?.[reason.via] ?? [];
        const changed =
          files.length === 0
            ? ''
            : ` (changed: ${files[0]}${files.length > 1 ? `, +${files.length - 1}` : ''})`;
        out.push(`    dependency ${reason.via}${changed}`);
        continue;
      }
      const via = reason.kind === 'changed' && reason.via !== undefined ? ` (via ${reason.via})` : '';
      for (const file of reason.files ?? []) out.push(`    ${reason.kind}: ${file}${via}`);
    }
    for (const reference of unfollowed.get(service.name) ?? [])
      out.push(`    ${reference.ignored ? 'ignored' : 'not followed'}: ${reference.via} (${reference.why})`);
  });
  out.push('', summary(plan));
  if (plan.orphans.length > 0) {
    out.push(
      `orphans (recorded in stage ${plan.stage}, gone from the workspace): ${plan.orphans.join(', ')}`,
    );
  }
  return out.join('\n') + '\n';
}

/** How an edge came to be, in a few words. */
const EDGE_WORDS: Record<EdgeSource, string> = {
  'package.json': 'package.json',
  'nx-implicit': 'Nx implicitDependencies',
  'nx-graph': 'Nx project graph',
  reference: 'a reference',
  config: 'config dependsOn, deploy time',
  outputs: 'reads its outputs, deploy time',
};

function summary(plan: Plan): string {
  const where = `stage ${plan.stage} at ${plan.head.slice(0, 12)}`;
  if (plan.skipped?.reason === 'pull-request')
    return `pull request (${plan.skipped.trigger}): nothing deploys on ${where}`;
  if (plan.skipped?.reason === 'no-stage')
    return `${plan.skipped.trigger} is mapped to no stage: nothing deploys`;
  if (plan.skipped?.reason === 'preview-teardown')
    return `pull request (${plan.skipped.trigger}) merged or closed: deploy removes its preview ${where}`;
  const deploying = plan.services.filter((service) => service.deploy);
  const conditional = deploying.filter((service) => service.conditionalOn !== undefined).length;
  const batches = plan.batches.length;
  const ifOutputs = conditional === 0 ? '' : ` (${conditional} of them if the outputs they read change)`;
  return `${deploying.length} of ${plan.services.length} services deploy on ${where}${ifOutputs}, in ${batches} batch${batches === 1 ? '' : 'es'}`;
}
