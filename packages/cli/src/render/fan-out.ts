// A plan spread over many CI builds, one per service: a CodeBuild batch build graph, or GitHub
// Actions matrices. Each build deploys its service with `deploy --only`; shipgraph's state and
// per-service locks (DynamoDB) keep the stage consistent while they run side by side.
import { deployingDependencies, type PackageName, type Plan } from '@shipgraph/core';

/**
 * A buildspec whose `batch.build-graph` has one build per deploying service, each depending on the
 * builds of the deploying services it waits for. Start it with
 * `aws codebuild start-build-batch --source-version <head> --buildspec-override <this>`.
 */
export function renderCodeBuildBatch(plan: Plan): string {
  const waitsFor = deployingDependencies(plan);
  const ids = identifiers([...waitsFor.keys()]);
  const lines = [
    `# shipgraph plan: ${waitsFor.size} build(s) for stage ${plan.stage} at ${plan.head}.`,
    '# Each build deploys one service. --all: the plan already chose it, so it deploys even where its',
    '# own diff would now show nothing (e.g. a dependency whose stack an earlier build created again).',
    'version: 0.2',
    'env:',
    '  variables:',
    `    STAGE: ${quote(plan.stage)}`,
    `    SHIPGRAPH_HEAD: ${quote(plan.head)}`,
    'batch:',
    '  fast-fail: false',
  ];
  if (waitsFor.size === 0) lines.push('  build-graph: []');
  else lines.push('  build-graph:');
  for (const [service, deps] of waitsFor) {
    lines.push(
      `    - identifier: ${ids.get(service) ?? ''}`,
      '      env:',
      '        variables:',
      `          SHIPGRAPH_SERVICE: ${quote(service)}`,
    );
    if (deps.length > 0) {
      lines.push('      depend-on:');
      for (const dep of deps) lines.push(`        - ${ids.get(dep) ?? ''}`);
    }
  }
  lines.push(
    'phases:',
    '  install:',
    '    commands:',
    `      - ${quote('npm ci --no-audit --no-fund')}`,
    '  build:',
    '    commands:',
    `      - ${quote('test "$CODEBUILD_RESOLVED_SOURCE_VERSION" = "$SHIPGRAPH_HEAD" || { echo "this batch was planned for $SHIPGRAPH_HEAD, not $CODEBUILD_RESOLVED_SOURCE_VERSION"; exit 1; }')}`,
    `      - ${quote('npx shipgraph deploy --stage "$STAGE" --only "$SHIPGRAPH_SERVICE" --all --junit reports/e2e.xml')}`,
    'reports:',
    '  e2e:',
    '    files: [reports/e2e.xml]',
    '    file-format: JUNITXML',
  );
  return lines.join('\n') + '\n';
}

/**
 * GitHub Actions cannot make one matrix job wait for another, so the deploys go batch by batch: one
 * matrix per batch of the plan, every service after the batches holding what it depends on.
 */
export function renderGithubMatrix(plan: Plan): string {
  const paths = new Map(plan.services.map((service) => [service.name, service.path]));
  const document = {
    stage: plan.stage,
    head: plan.head,
    count: plan.batches.flat().length,
    batches: plan.batches.map((batch) => ({
      include: batch.map((service) => ({ service, path: paths.get(service) ?? '' })),
    })),
  };
  return JSON.stringify(document) + '\n';
}

/** CodeBuild identifiers are letters, digits and underscores; names that clash get a number. */
function identifiers(services: readonly PackageName[]): Map<PackageName, string> {
  const ids = new Map<PackageName, string>();
  const used = new Set<string>();
  for (const service of services) {
    const base = service
      .replace(/^@/, '')
      .replace(/[^A-Za-z0-9]+/g, '_')
      .replace(/^(?=\d)/, 's_');
    let id = base;
    for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
    used.add(id);
    ids.set(service, id);
  }
  return ids;
}

/** A JSON string is a valid YAML double-quoted scalar, with nothing left to interpretation. */
const quote = (text: string): string => JSON.stringify(text);
