// Bad input of every kind a user or a CI system gives: each is one line `shipgraph: E_CODE: message
// (fix: ...)`, the right exit code, no stack trace, and the state directory exactly as it was.
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestRepo, tempDir } from './helpers/repo.js';
import { commandRepo, deploy } from './helpers/deploys.js';

let base: TestRepo;
let head: string;

/** api ← web, deployed once: the state directory has a state file to keep intact. */
beforeAll(async () => {
  base = commandRepo({ api: [], web: ['api'] }, {}, 'manual');
  base.commit('initial');
  head = base.commit('second');
  const result = await deploy(base);
  if (result.exitCode !== 0) throw new Error(`setup deploy failed: ${result.stderr}`);
}, 60_000);
afterAll(() => {
  rmSync(base.dir, { recursive: true, force: true });
});

/** A copy of the deployed repository, with `files` written and, unless `commit` is false, committed. */
function repoWith(files: Record<string, string | object> = {}, commit = true): TestRepo {
  const repo = new TestRepo(tempDir());
  cpSync(base.dir, repo.dir, { recursive: true });
  if (Object.keys(files).length > 0) {
    repo.write(files);
    if (commit) repo.commit('bad input');
  }
  return repo;
}

/** Every file under the state directory, with its bytes, to compare before and after. */
function snapshot(dir: string): Record<string, string> {
  const root = join(dir, '.shipgraph', 'state');
  const files: Record<string, string> = {};
  const walk = (path: string): void => {
    if (!existsSync(path)) return;
    if (statSync(path).isDirectory()) {
      for (const entry of readdirSync(path)) walk(join(path, entry));
    } else files[path.slice(root.length)] = readFileSync(path, 'latin1');
  };
  walk(root);
  return files;
}

interface Case {
  name: string;
  args: string[];
  code: string;
  /** What the message says (a part of it). */
  says: RegExp;
  exit?: number;
  env?: Record<string, string>;
  files?: Record<string, string | object>;
  /** Leave `files` uncommitted. */
  uncommitted?: boolean;
  /** Prepares the copy further (returns the directory to run in, when not the copy). */
  setup?: (repo: TestRepo) => string | undefined;
}

const planJson = (overrides: object): string =>
  JSON.stringify({
    version: 1,
    stage: 'staging',
    head: '0'.repeat(40),
    skipped: null,
    services: [],
    batches: [],
    orphans: [],
    ...overrides,
  });
const plannedService = (name: string, path: string) => ({
  name,
  path,
  deploy: true,
  batch: 0,
  base: null,
  dependsOn: [],
  fingerprint: null,
  reasons: [{ kind: 'first-deploy' }],
});

const CASES: Case[] = [
  // Flags: every value checked where it is parsed.
  {
    name: '--concurrency without a value',
    args: ['deploy', '--concurrency'],
    code: 'E_USAGE',
    says: /--concurrency needs a value/,
  },
  {
    name: '--concurrency 0',
    args: ['deploy', '--concurrency', '0'],
    code: 'E_USAGE',
    says: /at least 1, not 0/,
  },
  {
    name: '--concurrency abc',
    args: ['deploy', '--concurrency', 'abc'],
    code: 'E_USAGE',
    says: /not a word/,
  },
  {
    name: '--concurrency 1.5',
    args: ['deploy', '--concurrency', '1.5'],
    code: 'E_USAGE',
    says: /whole number/,
  },
  { name: '--retries abc', args: ['deploy', '--retries', 'abc'], code: 'E_USAGE', says: /--retries must be/ },
  { name: '--retries -1', args: ['deploy', '--retries', '-1'], code: 'E_USAGE', says: /at least 0, not -1/ },
  {
    name: '--retry-delay abc',
    args: ['deploy', '--retry-delay', 'abc'],
    code: 'E_USAGE',
    says: /--retry-delay must be a number of seconds/,
  },
  {
    name: '--lock-timeout abc',
    args: ['deploy', '--lock-timeout', 'abc'],
    code: 'E_USAGE',
    says: /--lock-timeout must be/,
  },
  {
    name: '--lock-timeout -5',
    args: ['deploy', '--lock-timeout', '-5'],
    code: 'E_USAGE',
    says: /0 or more\), not -5/,
  },
  {
    name: 'deploy --only "" (an empty CI variable)',
    args: ['deploy', '--only', ''],
    code: 'E_USAGE',
    says: /--only was given no service names/,
  },
  { name: 'deploy --only ,', args: ['deploy', '--only', ','], code: 'E_USAGE', says: /no service names/ },
  {
    name: 'deploy --only without a value',
    args: ['deploy', '--only'],
    code: 'E_USAGE',
    says: /--only needs a value/,
  },
  {
    name: 'deploy --exclude ""',
    args: ['deploy', '--exclude', ''],
    code: 'E_USAGE',
    says: /--exclude was given/,
  },
  { name: 'plan --only ""', args: ['plan', '--only', ''], code: 'E_USAGE', says: /--only was given/ },
  {
    name: 'destroy --only ""',
    args: ['destroy', '--yes', '--only', ''],
    code: 'E_USAGE',
    says: /--only was given/,
  },
  {
    name: 'state mark --only ""',
    args: ['state', 'mark', '--only', ''],
    code: 'E_USAGE',
    says: /--only was given/,
  },
  { name: 'an unknown format', args: ['plan', '--format', 'yaml'], code: 'E_USAGE', says: /Invalid values/ },
  {
    name: '--explain with --json',
    args: ['plan', '--json', '--explain'],
    code: 'E_USAGE',
    says: /--explain goes with the table/,
  },
  {
    name: 'an unknown command',
    args: ['deploi'],
    code: 'E_USAGE',
    says: /^unknown command "deploi"$/,
  },
  {
    name: 'an unknown flag',
    args: ['plan', '--frobnicate'],
    code: 'E_USAGE',
    says: /unknown option --frobnicate/,
  },
  { name: 'no command', args: [], code: 'E_USAGE', says: /name a command/ },
  {
    name: '--stage without a value',
    args: ['plan', '--stage'],
    code: 'E_USAGE',
    says: /--stage needs a value/,
  },
  {
    name: 'a stage name with a slash',
    args: ['plan', '--stage', 'bad/name'],
    code: 'E_STAGE_NAME',
    says: /invalid stage name "bad\/name"/,
  },
  {
    name: 'a stage name too long for a file',
    args: ['deploy', '--stage', 'x'.repeat(300)],
    code: 'E_STAGE_NAME',
    says: /invalid stage name "x{40}…"/,
  },
  {
    name: 'STAGE that climbs out of the state directory',
    args: ['deploy'],
    env: { STAGE: '../../etc' },
    code: 'E_STAGE_NAME',
    says: /invalid stage name/,
  },
  {
    name: 'an unknown service',
    args: ['deploy', '--only', 'nope'],
    code: 'E_UNKNOWN_SERVICE',
    says: /no service named "nope"/,
  },
  {
    name: 'an unknown --head',
    args: ['plan', '--head', 'nope'],
    code: 'E_UNKNOWN_REF',
    says: /unknown git ref "nope"/,
  },
  {
    name: 'an unknown --base',
    args: ['plan', '--base', 'nope'],
    code: 'E_UNKNOWN_REF',
    says: /unknown git ref "nope"/,
  },
  {
    name: 'FORCE_DEPLOY_ALL=maybe',
    args: ['deploy'],
    env: { FORCE_DEPLOY_ALL: 'maybe' },
    code: 'E_ENV',
    says: /is not a boolean/,
  },
  {
    name: 'a trigger CodeBuild never sets',
    args: ['deploy'],
    env: { CODEBUILD_WEBHOOK_TRIGGER: 'push' },
    code: 'E_ENV',
    says: /not a CodeBuild webhook trigger/,
  },
  { name: 'destroy without --yes off a terminal', args: ['destroy'], code: 'E_CONFIRM', says: /needs --yes/ },
  {
    name: 'unlock --only on the file backend',
    args: ['unlock', '--only', 'api'],
    code: 'E_USAGE',
    says: /has no service locks/,
  },
  {
    name: 'state mark at an unknown commit',
    args: ['state', 'mark', '--commit', 'nope'],
    code: 'E_UNKNOWN_REF',
    says: /unknown git ref/,
  },
  {
    name: 'e2e of an unknown service',
    args: ['e2e', 'nope'],
    code: 'E_UNKNOWN_SERVICE',
    says: /no service named "nope"/,
  },

  // Plan files: checked whole before anything is locked.
  {
    name: 'a plan file that does not exist',
    args: ['deploy', '--plan', 'missing.json'],
    code: 'E_PLAN_UNREADABLE',
    says: /cannot read plan missing\.json/,
  },
  {
    name: 'a plan file that is not JSON',
    args: ['deploy', '--plan', 'plan.json'],
    files: { 'plan.json': 'not json' },
    uncommitted: true,
    code: 'E_PLAN_INVALID',
    says: /not JSON/,
  },
  {
    name: 'an empty object as a plan',
    args: ['deploy', '--plan', 'plan.json'],
    files: { 'plan.json': '{}' },
    uncommitted: true,
    code: 'E_PLAN_INVALID',
    says: /must have required property 'version'/,
  },
  {
    name: 'a plan of another version',
    args: ['deploy', '--plan', 'plan.json'],
    files: { 'plan.json': planJson({ version: 2 }) },
    uncommitted: true,
    code: 'E_PLAN_INVALID',
    says: /\/version must be equal to constant/,
  },
  {
    name: 'a plan with services: [{}]',
    args: ['deploy', '--plan', 'plan.json'],
    files: { 'plan.json': planJson({ services: [{}] }) },
    uncommitted: true,
    code: 'E_PLAN_INVALID',
    says: /\/services\/0 must have required property 'name'/,
  },
  {
    name: 'a plan with services: [null]',
    args: ['deploy', '--plan', 'plan.json'],
    files: { 'plan.json': planJson({ services: [null] }) },
    uncommitted: true,
    code: 'E_PLAN_INVALID',
    says: /\/services\/0 must be object/,
  },
  {
    name: 'a plan without head',
    args: ['deploy', '--plan', 'plan.json'],
    files: { 'plan.json': JSON.stringify({ ...JSON.parse(planJson({})), head: undefined }) },
    uncommitted: true,
    code: 'E_PLAN_INVALID',
    says: /required property 'head'/,
  },
  {
    name: 'a plan for another commit',
    args: ['deploy', '--plan', 'plan.json'],
    files: { 'plan.json': planJson({}) },
    uncommitted: true,
    code: 'E_PLAN_MISMATCH',
    says: /was planned for 000000000000/,
  },
  {
    name: 'a plan for another stage',
    args: ['deploy', '--plan', 'plan.json'],
    setup: (repo) => void repo.write({ 'plan.json': planJson({ head, stage: 'prod' }) }),
    code: 'E_PLAN_MISMATCH',
    says: /planned for stage prod, not staging/,
  },
  {
    name: 'a plan naming a service not in the workspace',
    args: ['deploy', '--plan', 'plan.json'],
    setup: (repo) =>
      void repo.write({
        'plan.json': planJson({
          head,
          services: [plannedService('ghost', 'services/ghost')],
          batches: [['ghost']],
        }),
      }),
    code: 'E_PLAN_MISMATCH',
    says: /not this workspace's .*: ghost/,
  },
  {
    name: 'a plan listing a service twice',
    args: ['deploy', '--plan', 'plan.json'],
    setup: (repo) =>
      void repo.write({
        'plan.json': planJson({
          head,
          services: [plannedService('api', 'services/api'), plannedService('api', 'services/api')],
        }),
      }),
    code: 'E_PLAN_INVALID',
    says: /lists api twice/,
  },

  // The config.
  {
    name: 'a config that is not JSON',
    args: ['plan'],
    files: { 'shipgraph.config.json': '{ "stages": ' },
    code: 'E_CONFIG',
    says: /is not valid JSON/,
  },
  {
    name: 'an unknown config property',
    args: ['plan'],
    files: { 'shipgraph.config.json': { stagez: {} } },
    code: 'E_CONFIG',
    says: /unknown property "stagez"/,
  },
  {
    name: 'a rollout on a deployer that publishes no versions',
    args: ['plan'],
    files: {
      'shipgraph.config.json': {
        services: {
          api: { deployer: { type: 'command', command: ['true'], rollout: { type: 'canary', percent: 10 } } },
        },
      },
    },
    code: 'E_CONFIG',
    says: /\/services\/api\/deployer\/rollout: not allowed here/,
  },
  {
    name: 'alarms on a CodeDeploy rollout',
    args: ['plan'],
    files: {
      'shipgraph.config.json': {
        services: {
          api: {
            deployer: {
              type: 'lambda',
              functions: ['api-{stage}'],
              build: { entry: 'src/index.js' },
              bucket: 'code-{stage}',
              rollout: { codeDeploy: { application: 'shop', deploymentGroup: 'api' }, alarms: ['errors'] },
            },
          },
        },
      },
    },
    code: 'E_CONFIG',
    says: /\/services\/api\/deployer\/rollout: unknown property "alarms"/,
  },
  {
    name: 'a region that is not one',
    args: ['plan'],
    files: { 'shipgraph.config.json': { stages: { staging: { regions: ['europe'] } } } },
    code: 'E_CONFIG',
    says: /\/stages\/staging\/regions\/0 must match pattern/,
  },
  {
    name: 'promote without --from',
    args: ['promote', '--to', 'prod'],
    code: 'E_USAGE',
    says: /Missing required argument: from/,
  },
  {
    name: 'promote from a stage the config does not declare',
    args: ['promote', '--from', 'qa', '--to', 'prod'],
    files: { 'shipgraph.config.json': { stages: { staging: {}, prod: {} } } },
    code: 'E_UNKNOWN_STAGE',
    says: /stage "qa" is not declared/,
  },
  {
    name: 'a stage roleArn that is not a role ARN',
    args: ['plan'],
    files: { 'shipgraph.config.json': { stages: { prod: { roleArn: 'arn:aws:iam::1234:user/me' } } } },
    code: 'E_CONFIG',
    says: /\/stages\/prod\/roleArn must match pattern/,
  },
  {
    name: 'an externalId without a roleArn',
    args: ['plan'],
    files: { 'shipgraph.config.json': { stages: { prod: { externalId: 'acme-ci' } } } },
    code: 'E_CONFIG',
    says: /\/stages\/prod must have property roleArn when property externalId is present/,
  },
  {
    name: 'a configured service that is not a package',
    args: ['plan'],
    files: { 'shipgraph.config.json': { services: { ghost: {} } } },
    code: 'E_CONFIG',
    says: /services."ghost" is not a workspace package/,
  },
  {
    name: 'dependsOn naming no package',
    args: ['plan'],
    files: { 'shipgraph.config.json': { services: { web: { dependsOn: ['ghost'] } } } },
    code: 'E_CONFIG',
    says: /dependsOn names "ghost"/,
  },
  {
    name: 'a service path that climbs out',
    args: ['plan'],
    files: { 'shipgraph.config.json': { services: { out: { path: '../elsewhere' } } } },
    code: 'E_CONFIG',
    says: /\/services\/out\/path must match pattern/,
  },
  {
    name: 'a service path with no files',
    args: ['plan'],
    files: { 'shipgraph.config.json': { services: { lost: { path: 'stacks/lost' } } } },
    code: 'E_CONFIG',
    says: /stacks\/lost has no files in this commit/,
  },
  {
    name: 'a stage the config does not declare',
    args: ['plan', '--stage', 'qa'],
    files: { 'shipgraph.config.json': { stages: { staging: {} } } },
    code: 'E_UNKNOWN_STAGE',
    says: /stage "qa" is not declared/,
  },

  // The workspace.
  {
    name: 'a root package.json that is not JSON',
    args: ['plan'],
    files: { 'package.json': '{ "name": ' },
    code: 'E_WORKSPACE',
    says: /package.json is not valid JSON/,
  },
  {
    name: 'a root package.json that is a list',
    args: ['plan'],
    files: { 'package.json': [] },
    code: 'E_WORKSPACE',
    says: /^package.json must be a JSON object/,
  },
  {
    name: 'workspaces that are not a list',
    args: ['plan'],
    files: { 'package.json': { name: 'root', workspaces: 'services/*' } },
    code: 'E_WORKSPACE',
    says: /"workspaces" must be a list of globs/,
  },
  {
    name: 'a pnpm-workspace.yaml that is not YAML',
    args: ['plan'],
    files: { 'pnpm-workspace.yaml': 'packages:\n  - services/*\n bad: [\n' },
    code: 'E_WORKSPACE',
    says: /pnpm-workspace.yaml is not valid YAML: .*line \d+, column \d+$/,
  },
  {
    name: 'a package without a name',
    args: ['plan'],
    files: { 'services/nameless/package.json': { version: '1.0.0' } },
    code: 'E_WORKSPACE',
    says: /services\/nameless\/package.json has no "name"/,
  },
  {
    name: 'two packages with one name',
    args: ['plan'],
    files: { 'services/api2/package.json': { name: 'api' } },
    code: 'E_DUPLICATE_PACKAGE',
    says: /two packages are named api/,
  },
  {
    name: 'a dependency cycle',
    args: ['plan'],
    files: { 'services/api/package.json': { name: 'api', dependencies: { web: '*' } } },
    code: 'E_CYCLE',
    says: /dependency cycle: /,
  },
  {
    name: 'an nx.json that is not JSON',
    args: ['plan'],
    files: { 'nx.json': '{ "npmScope": ' },
    code: 'E_WORKSPACE',
    says: /nx.json is not valid JSON/,
  },
  {
    name: 'an implicit dependency on no project',
    args: ['plan'],
    files: { 'nx.json': {}, 'services/api/project.json': { name: 'api', implicitDependencies: ['ghost'] } },
    code: 'E_WORKSPACE',
    says: /implicit dependency "ghost" is not a project/,
  },

  // git.
  {
    name: 'outside any git repository',
    args: ['plan'],
    setup: () => tempDir(),
    code: 'E_NOT_A_REPO',
    says: /is not inside a git repository/,
  },
  {
    name: 'inside the .git directory',
    args: ['plan'],
    setup: (repo) => join(repo.dir, '.git'),
    code: 'E_NOT_A_REPO',
    says: /inside a git directory or a bare repository/,
  },
  {
    name: 'in a bare repository',
    args: ['plan'],
    setup: (repo) => {
      const bare = tempDir();
      execFileSync('git', ['clone', '-q', '--bare', repo.dir, bare]);
      return bare;
    },
    code: 'E_NOT_A_REPO',
    says: /inside a git directory or a bare repository/,
  },

  // The state and its lock.
  {
    name: 'a state file that is not JSON',
    args: ['plan'],
    setup: (repo) => void repo.write({ '.shipgraph/state/staging.json': '{ "version": 1,' }),
    code: 'E_STATE_INVALID',
    says: /is not valid JSON/,
  },
  {
    name: 'a state file from a newer shipgraph',
    args: ['deploy'],
    setup: (repo) =>
      void repo.write({ '.shipgraph/state/staging.json': { version: 2, stage: 'staging', services: {} } }),
    code: 'E_STATE_VERSION',
    says: /written by a newer shipgraph/,
  },
  {
    name: 'a state record that is malformed',
    args: ['plan'],
    setup: (repo) =>
      void repo.write({
        '.shipgraph/state/staging.json': { version: 1, stage: 'staging', services: { api: { commit: 'x' } } },
      }),
    code: 'E_STATE_INVALID',
    says: /malformed record for api/,
  },
  {
    name: 'a state directory that is a file',
    args: ['deploy'],
    exit: 1,
    files: {
      'shipgraph.config.json': { state: { backend: 'file', dir: 'state-here' } },
      'state-here': 'a file, not a directory\n',
    },
    code: 'E_STATE',
    says: /cannot (read|lock|write) state-here\/staging\.(json|lock): a file stands where a directory should be/,
  },
  {
    name: 'a stage locked by a live run',
    args: ['deploy', '--lock-timeout', '0'],
    exit: 1,
    setup: (repo) =>
      void repo.write({
        '.shipgraph/state/staging.lock': {
          owner: 'build:7',
          host: 'elsewhere',
          pid: 1,
          acquiredAt: 'earlier',
          ttlMs: 600_000,
        },
      }),
    code: 'E_LOCKED',
    says: /stage staging is locked by build:7 since earlier \(\.shipgraph\/state\/staging\.lock\)/,
  },

  {
    name: 'unlock when the lock is not a file',
    args: ['unlock'],
    exit: 1,
    setup: (repo) => void repo.write({ '.shipgraph/state/staging.lock/x': '' }),
    code: 'E_STATE',
    says: /cannot read \.shipgraph\/state\/staging\.lock: a file stands where a directory should be/,
  },

  // Where --report is asked to go: checked before the lock, so nothing deploys.
  {
    name: 'an empty --report',
    args: ['deploy', '--report', ''],
    code: 'E_USAGE',
    says: /--report was given no file/,
  },
  {
    name: 'a --report under a file',
    args: ['deploy', '--report', 'services/api/package.json/report.html'],
    exit: 1,
    code: 'E_REPORT',
    says: /cannot write the report services\/api\/package\.json\/report\.html: a file stands where a directory should be/,
  },
  {
    name: 'a --report that is a directory',
    args: ['plan', '--report', 'services'],
    exit: 1,
    code: 'E_REPORT',
    says: /cannot write the report services: it is a directory/,
  },

  // The checkout deploy would ship.
  {
    name: 'uncommitted changes to tracked files',
    args: ['deploy'],
    files: { 'services/api/src/index.js': 'export const edited = true;\n' },
    uncommitted: true,
    code: 'E_DIRTY_CHECKOUT',
    says: /1 tracked file differs from/,
  },
  {
    name: 'a --head that is not checked out',
    args: ['deploy', '--head', 'HEAD~1'],
    code: 'E_CHECKOUT_MISMATCH',
    says: /the checkout is at [0-9a-f]{12}, not at the planned/,
  },
];

describe('bad input: one line with a code and a fix, the right exit code, the state untouched', () => {
  it('has the cases the README promises (at least 60)', () => {
    expect(CASES.length).toBeGreaterThanOrEqual(60);
    expect(new Set(CASES.map((entry) => entry.name)).size).toBe(CASES.length);
  });

  it.each(CASES)('$name', async (entry) => {
    const repo = repoWith(entry.files ?? {}, entry.uncommitted !== true);
    const dir = entry.setup?.(repo) ?? repo.dir;
    const before = snapshot(repo.dir);
    const result = await new TestRepo(dir).run(entry.args, entry.env ?? {});
    const lines = result.stderr.split('\n').filter((line) => line !== '');
    const last = lines.at(-1) ?? '';
    expect({ exit: result.exitCode, code: last.split(':')[1]?.trim() }).toEqual({
      exit: entry.exit ?? 2,
      code: entry.code,
    });
    expect(last).toMatch(/^shipgraph: E_[A-Z_]+: .+ \(fix: .+\)$/);
    const message = last.slice(`shipgraph: ${entry.code}: `.length).replace(/ \(fix: .+\)$/, '');
    expect(message).toMatch(entry.says);
    // Only deploy's own progress lines may come before the error; never a stack trace.
    expect(lines.filter((line) => line.startsWith('shipgraph: E_'))).toHaveLength(1);
    expect(result.stderr).not.toMatch(/^\s+at /m);
    expect(result.stdout).toBe('');
    expect(snapshot(repo.dir)).toEqual(before);
  });
});
