// The workspace graph as Mermaid or Graphviz DOT, with the services that deploy highlighted.
import type { Plan, Workspace } from '@shipgraph/core';

interface Node {
  id: string;
  name: string;
  kind: 'deploy' | 'service' | 'library';
}

function nodesOf(workspace: Workspace, plan: Plan): Map<string, Node> {
  const deploying = new Set(plan.services.filter((service) => service.deploy).map((service) => service.name));
  return new Map(
    workspace.packages.map((pkg, i) => [
      pkg.name,
      {
        id: `n${i}`,
        name: pkg.name,
        kind: deploying.has(pkg.name) ? 'deploy' : pkg.isService ? 'service' : 'library',
      },
    ]),
  );
}

/** Edges point from a dependency to what depends on it: the order things deploy in. */
export function renderMermaid(workspace: Workspace, plan: Plan): string {
  const nodes = nodesOf(workspace, plan);
  const lines = ['flowchart LR'];
  for (const node of nodes.values()) {
    const label = node.name.replace(/"/g, '#quot;');
    lines.push(node.kind === 'library' ? `  ${node.id}(["${label}"])` : `  ${node.id}["${label}"]`);
  }
  for (const pkg of workspace.packages) {
    for (const dep of pkg.dependsOn)
      lines.push(`  ${nodes.get(dep.name)?.id ?? '?'} --> ${nodes.get(pkg.name)?.id ?? '?'}`);
  }
  const deploying = [...nodes.values()].filter((node) => node.kind === 'deploy').map((node) => node.id);
  lines.push('  classDef deploy fill:#fde68a,stroke:#b45309,stroke-width:2px');
  if (deploying.length > 0) lines.push(`  class ${deploying.join(',')} deploy`);
  return lines.join('\n') + '\n';
}

export function renderDot(workspace: Workspace, plan: Plan): string {
  const nodes = nodesOf(workspace, plan);
  const quote = (text: string): string => `"${text.replace(/["\\]/g, '\\$&')}"`;
  const lines = ['digraph shipgraph {', '  rankdir=LR;', '  node [shape=box];'];
  for (const node of nodes.values()) {
    const style =
      node.kind === 'deploy'
        ? ', style=filled, fillcolor="#fde68a", penwidth=2'
        : node.kind === 'library'
          ? ', shape=ellipse'
          : '';
    lines.push(`  ${quote(node.name)} [label=${quote(node.name)}${style}];`);
  }
  for (const pkg of workspace.packages) {
    for (const dep of pkg.dependsOn) lines.push(`  ${quote(dep.name)} -> ${quote(pkg.name)};`);
  }
  lines.push('}');
  return lines.join('\n') + '\n';
}
