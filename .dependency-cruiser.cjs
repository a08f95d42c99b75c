// The layers of the code, enforced (`npm run check:layers`, part of `npm test`): a module imports only
// from its own layer or the layers below it. The README's "Development" section lists the same layers.
const cli = (...paths) => paths.map((path) => `^packages/cli/src/${path}`).join('|');

// Top to bottom. Folders of one layer may use each other; nothing may reach up.
const CLI_LAYERS = [
  ['entry', cli('index\\.ts$', 'main\\.ts$', 'usage-errors\\.ts$')],
  ['commands', cli('commands/')],
  ['reports', cli('report/', 'notify/')],
  ['runs', cli('deploy/', 'promote/', 'remove/', 'rollback/')],
  ['run context', cli('run/')],
  ['step kinds', cli('e2e/', 'artifacts/')],
  ['steps', cli('steps/')],
  ['deployers', cli('deployers/')],
  ['planning and state', cli('planning/', 'state/')],
  ['workspace', cli('workspace/')],
  ['reading and showing', cli('git/', 'config/', 'stacks/', 'progress/', 'process/', 'render/')],
  ['aws', cli('aws/')],
  ['foundation', cli('errors\\.ts$', 'version\\.ts$', 'io\\.ts$')],
];

const layerRules = CLI_LAYERS.slice(1).map(([name, path], index) => ({
  name: `layer: ${name}`,
  severity: 'error',
  comment: `${name} may import only from its own layer and those below it`,
  from: { path },
  to: {
    path: CLI_LAYERS.slice(0, index + 1)
      .map(([, above]) => above)
      .join('|'),
  },
}));

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    ...layerRules,
    {
      name: 'core is pure',
      severity: 'error',
      comment:
        'packages/core plans from data: no file, process, network or clock access (hashing is allowed)',
      from: { path: '^packages/core/src/' },
      to: { dependencyTypes: ['core'], pathNot: '^(node:)?crypto$' },
    },
    {
      name: 'core knows no CLI',
      severity: 'error',
      from: { path: '^packages/core/src/' },
      to: { path: '^packages/(cli|vitest-aws)/' },
    },
    {
      name: 'matchers stand alone',
      severity: 'error',
      comment: '@shipgraph/vitest-aws is published on its own: it needs nothing of shipgraph',
      from: { path: '^packages/vitest-aws/src/' },
      to: { path: '^packages/(cli|core)/' },
    },
    {
      name: 'no circle',
      severity: 'error',
      from: { path: '^packages/' },
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: ['\\.test\\.ts$', '/dist/'] },
    // Type-only imports count: a layer that needs another's types depends on it all the same.
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
