// Per-service deploy settings: which deployer, and which stack in each region.
import { servicesOf, type PackageName } from '@shipgraph/core';
import type { DeployerConfig } from '../config/config.js';
import type { Checkout } from './checkout.js';
import type { StageAccess } from '../aws/access.js';
import { existingStacks } from '../aws/cloudformation.js';
import { fillPlaceholders, serverlessStackName } from '../stacks/stack-name.js';
import { CliError } from '../errors.js';

export interface ServiceSettings {
  name: PackageName;
  /** Directory relative to the repository root. */
  dir: string;
  deployer: DeployerConfig;
  /** The stack the service deploys in a region, or null when shipgraph cannot know it (npm-script, command). */
  stackName: (region: string) => string | null;
}

const PARSEABLE_SERVERLESS = ['serverless.yml', 'serverless.yaml', 'serverless.json'];
const TEMPLATES = ['template.yml', 'template.yaml', 'template.json'];

export async function serviceSettings(
  checkout: Checkout,
  stage: string,
): Promise<Map<PackageName, ServiceSettings>> {
  const paths = new Set(checkout.files.map((file) => file.path));
  const services = servicesOf(checkout.workspace);
  const serverlessFile = new Map<PackageName, string>();
  for (const service of services) {
    const file = PARSEABLE_SERVERLESS.map((name) => `${service.dir}/${name}`).find((path) => paths.has(path));
    if (file !== undefined) serverlessFile.set(service.name, file);
  }
  const texts = await checkout.repo.readObjects(
    [...serverlessFile.values()].map((path) => `${checkout.head}:${path}`),
  );

  const settings = new Map<PackageName, ServiceSettings>();
  for (const service of services) {
    const configured = checkout.config.services[service.name];
    const hasServerless = [...PARSEABLE_SERVERLESS, 'serverless.js', 'serverless.ts'].some((name) =>
      paths.has(`${service.dir}/${name}`),
    );
    const deployer: DeployerConfig =
      configured?.deployer ??
      (hasServerless
        ? { type: 'serverless' }
        : TEMPLATES.some((name) => paths.has(`${service.dir}/${name}`))
          ? { type: 'cloudformation' }
          : { type: 'npm-script' });
    const file = serverlessFile.get(service.name);
    const yaml = file === undefined ? undefined : texts.get(`${checkout.head}:${file}`)?.toString('utf8');
    const unscoped = service.name.replace(/^@[^/]+\//, '');
    const stackName = (region: string): string | null => {
      if (configured?.stackName != null) return fillPlaceholders(configured.stackName, stage, region);
      if (deployer.type === 'cloudformation') return `${unscoped}-${stage}`;
      if (deployer.type !== 'serverless') return null;
      if (yaml === undefined || file === undefined) {
        throw new CliError(
          'E_CONFIG',
          `cannot read the stack name of ${service.name} from a serverless.js/.ts file`,
          {
            hint: `set services."${service.name}".stackName in shipgraph.config.json`,
          },
        );
      }
      return serverlessStackName(service.name, yaml, file, stage, region);
    };
    settings.set(service.name, { name: service.name, dir: service.dir, deployer, stackName });
  }
  return settings;
}

/** Services whose stack is missing in any of the regions, with where; one ListStacks per region. */
export async function missingStacks(
  access: StageAccess,
  settings: ReadonlyMap<PackageName, ServiceSettings>,
  regions: readonly string[],
): Promise<Map<PackageName, string>> {
  const missing = new Map<PackageName, string>();
  for (const [name, stacks] of await stacksOf(access, [...settings.values()], regions)) {
    if (stacks.missing.length > 0)
      missing.set(name, stacks.missing.map((where) => `no stack ${where}`).join('; '));
  }
  return missing;
}

/**
 * Per service with stacks, which exist in the stage's account (region → stack) and which do not
 * (`<stack> in <region>`); one ListStacks per region.
 */
export async function stacksOf(
  access: StageAccess,
  services: readonly ServiceSettings[],
  regions: readonly string[],
): Promise<Map<PackageName, { found: Record<string, string>; missing: string[] }>> {
  const stacks = new Map<PackageName, { found: Record<string, string>; missing: string[] }>();
  const withStacks = services.filter((service) =>
    regions.some((region) => service.stackName(region) !== null),
  );
  if (withStacks.length === 0) return stacks;
  for (const region of regions) {
    const existing = await existingStacks(access, region);
    for (const service of withStacks) {
      const name = service.stackName(region);
      if (name === null) continue;
      const entry = stacks.get(service.name) ?? { found: {}, missing: [] };
      if (existing.has(name)) entry.found[region] = name;
      else entry.missing.push(`${name} in ${region}`);
      stacks.set(service.name, entry);
    }
  }
  return stacks;
}
