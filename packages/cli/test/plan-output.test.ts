// The plan's outputs: the JSON contract, the table, --explain, and the Mermaid and DOT graphs.
import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { BIN, tempRepo } from './helpers/repo.js';
import { npmWorkspace } from './helpers/workspaces.js';

async function changedRepo() {
  const repo = tempRepo(npmWorkspace({ libs: { util: [] }, services: { orders: ['util'], billing: [] } }));
  const base = repo.commit();
  await repo.mark(base);
  repo.write({ 'libs/util/src/index.ts': 'export const v = 2;\n' });
  const head = repo.commit();
  return { repo, base, head };
}

describe('plan output', () => {
  it('--json prints exactly one JSON document with the versioned contract', async () => {
    const { repo, base, head } = await changedRepo();
    const result = await repo.run(['plan', '--json']);
    expect(result.exitCode).toBe(0);
    expect(result.stderr).toBe('');
    const plan = JSON.parse(result.stdout) as Record<string, unknown>;
    expect(plan).toEqual({
      version: 1,
      stage: 'staging',
      head,
      skipped: null,
      services: [
        {
          name: '@acme/billing',
          path: 'services/billing',
          deploy: false,
          batch: null,
          base,
          dependsOn: [],
          fingerprint: null,
          reasons: [],
        },
        {
          name: '@acme/orders',
          path: 'services/orders',
          deploy: true,
          batch: 0,
          base,
          dependsOn: [],
          fingerprint: expect.stringMatching(/^[0-9a-f]{32}$/) as string,
          reasons: [{ kind: 'dependency', via: '@acme/util' }],
          upstreamChanges: { '@acme/util': ['libs/util/src/index.ts'] },
        },
      ],
      batches: [['@acme/orders']],
      orphans: [],
    });
    expect(head).toMatch(/^[0-9a-f]{40}$/);
    // --format json is the same document.
    expect((await repo.run(['plan', '--format', 'json'])).stdout).toBe(result.stdout);
  });

  it('the table shows every service with its decision, batch and reasons', async () => {
    const { repo, head } = await changedRepo();
    const result = await repo.run(['plan']);
    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe(
      [
        'SERVICE        DEPLOY  BATCH  REASONS',
        '@acme/billing  no      -      -',
        '@acme/orders   yes     0      dependency @acme/util',
        '',
        `1 of 2 services deploy on stage staging at ${head.slice(0, 12)}, in 1 batch`,
      ].join('\n'),
    );
  });

  it('--explain adds each base and the files behind each reason, and says where things came from', async () => {
    const { repo, base } = await changedRepo();
    repo.write({ 'services/billing/src/handler.ts': 'export const v = 2;\n' });
    repo.commit();
    const result = await repo.run(['plan', '--explain']);
    expect(result.stdout).toContain(`    base ${base}\n    changed: services/billing/src/handler.ts\n`);
    expect(result.stderr).toContain(
      'workspace: 3 packages (2 services) from npm workspaces; graph: package.json and project.json (no nx.json); config: none (defaults); state: .shipgraph/state/staging.json; regions: us-east-1',
    );
  });

  it('--explain names what changed in a dependency, each service’s edges (on a first deploy too), and counts in words', async () => {
    const { repo } = await changedRepo();
    repo.write({
      'libs/util/src/auth.ts': 'export const auth = 1;\n',
      'libs/util/src/ids.ts': 'export const ids = 1;\n',
    });
    repo.commit();
    const result = await repo.run(['plan', '--explain']);
    expect(result.stdout).toContain(
      '    depends on: @acme/util (package.json)\n    dependency @acme/util (changed: libs/util/src/auth.ts, +2)\n',
    );
    // Nothing recorded: a first deploy says what it depends on too; one service is one service.
    const fresh = tempRepo(npmWorkspace({ libs: { util: [] }, services: { orders: ['util'] } }));
    fresh.commit();
    const first = await fresh.run(['plan', '--explain']);
    expect(first.stdout).toContain(
      '@acme/orders  yes     0      first-deploy\n    depends on: @acme/util (package.json)\n',
    );
    expect(first.stderr).toContain('workspace: 2 packages (1 service) from npm workspaces;');
  });

  it('--explain names a pnpm workspace read from package.json and pnpm-workspace.yaml once', async () => {
    const repo = tempRepo({
      ...npmWorkspace({ services: { orders: [] } }),
      'package.json': {
        name: 'root',
        private: true,
        packageManager: 'pnpm@9.15.0',
        workspaces: ['services/*'],
      },
      'pnpm-workspace.yaml': 'packages:\n  - services/*\n',
    });
    repo.commit();
    const result = await repo.run(['plan', '--explain']);
    expect(result.stderr).toContain(
      'workspace: 1 package (1 service) from pnpm workspaces (package.json and pnpm-workspace.yaml);',
    );
  });

  it('--explain with --json is a usage error', async () => {
    const { repo } = await changedRepo();
    const result = await repo.run(['plan', '--json', '--explain']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toContain('E_USAGE: --explain goes with the table output');
  });

  it('--format mermaid draws the graph with the deploying services highlighted', async () => {
    const { repo } = await changedRepo();
    const result = await repo.run(['plan', '--format', 'mermaid']);
    expect(result.stdout).toBe(
      [
        'flowchart LR',
        '  n0["@acme/billing"]',
        '  n1["@acme/orders"]',
        '  n2(["@acme/util"])',
        '  n2 --> n1',
        '  classDef deploy fill:#fde68a,stroke:#b45309,stroke-width:2px',
        '  class n1 deploy',
      ].join('\n'),
    );
  });

  it('--format dot draws the same graph for Graphviz', async () => {
    const { repo } = await changedRepo();
    const result = await repo.run(['plan', '--format', 'dot']);
    expect(result.stdout).toBe(
      [
        'digraph shipgraph {',
        '  rankdir=LR;',
        '  node [shape=box];',
        '  "@acme/billing" [label="@acme/billing"];',
        '  "@acme/orders" [label="@acme/orders", style=filled, fillcolor="#fde68a", penwidth=2];',
        '  "@acme/util" [label="@acme/util", shape=ellipse];',
        '  "@acme/util" -> "@acme/orders";',
        '}',
      ].join('\n'),
    );
  });

  it('an unknown format is a usage error listing the choices', async () => {
    const { repo } = await changedRepo();
    const result = await repo.run(['plan', '--format', 'yaml']);
    expect(result.exitCode).toBe(2);
    expect(result.stderr).toMatch(
      /^shipgraph: E_USAGE: Invalid values: .*Choices: "table", "json", "mermaid", "dot"/,
    );
    expect(result.stderr.split('\n')).toHaveLength(1);
  });

  it('a reader that closes stdout early (| head -1) ends the run quietly, with its own exit code', async () => {
    const { repo } = await changedRepo();
    // stdout is closed before shipgraph writes the plan, as `head -1` does once it has its line.
    const child = spawn('node', [BIN, 'plan', '--json'], {
      cwd: repo.dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout.destroy();
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exitCode = await new Promise<number | null>((resolve) => child.on('close', resolve));
    expect(stderr).toBe('');
    expect(exitCode).toBe(0);
  });

  it('refuses to fan out over many builds with the file state backend, which they cannot share', async () => {
    const { repo } = await changedRepo();
    for (const format of ['codebuild-batch', 'github-matrix']) {
      const result = await repo.run(['plan', '--format', format]);
      expect(result.exitCode).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toBe(
        `shipgraph: E_CONFIG: --format ${format} spreads the deploys over many builds, which cannot share the file state backend (.shipgraph/state/staging.json) (fix: set "state": { "backend": "dynamodb", "table": "..." } in shipgraph.config.json)`,
      );
    }
  });
});
