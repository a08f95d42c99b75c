// Stack outputs shared with later steps: as SHIPGRAPH_OUTPUT_<SERVICE>_<KEY> variables and as a JSON file.
import type { PackageName } from '@shipgraph/core';
import type { StageAccess } from '../aws/access.js';
import { stackOutputs } from '../aws/cloudformation.js';
import type { ServiceSettings } from '../planning/service-settings.js';
import { outputVariable } from '../workspace/output-reads.js';

export function outputVariables(
  outputs: Record<PackageName, Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [service, values] of Object.entries(outputs)) {
    for (const [key, value] of Object.entries(values)) env[outputVariable(service, key)] = value;
  }
  return env;
}

/** Outputs per service and region: what this run deployed, else read from the stack once. */
export class OutputCache {
  private readonly known = new Map<string, Promise<Record<string, string>>>();

  constructor(
    private readonly settings: ReadonlyMap<PackageName, ServiceSettings>,
    /** Reaches the stacks in the stage's account. */
    private readonly access: StageAccess,
  ) {}

  get(service: PackageName, region: string): Promise<Record<string, string>> {
    const key = `${service}@${region}`;
    let found = this.known.get(key);
    if (found === undefined) {
      const stackName = this.settings.get(service)?.stackName(region) ?? null;
      found =
        stackName === null
          ? Promise.resolve({})
          : stackOutputs(this.access, region, stackName).then((values) => values ?? {});
      this.known.set(key, found);
    }
    return found;
  }

  set(service: PackageName, region: string, outputs: Record<string, string>): void {
    this.known.set(`${service}@${region}`, Promise.resolve(outputs));
  }

  async collect(
    services: readonly PackageName[],
    region: string,
  ): Promise<Record<PackageName, Record<string, string>>> {
    const collected: Record<PackageName, Record<string, string>> = {};
    for (const service of services) collected[service] = await this.get(service, region);
    return collected;
  }
}

/** A service name as a file name: `@acme/orders-api` → `_acme_orders-api`. */
export const fileSafe = (name: string): string => name.replace(/[^A-Za-z0-9._-]+/g, '_');
