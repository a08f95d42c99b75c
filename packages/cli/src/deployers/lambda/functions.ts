// The lambda deployer's function names, with {stage}, {region} and stack outputs filled in.
import { stackOutputs } from '../../aws/cloudformation.js';
import { CliError } from '../../errors.js';
import { fillPlaceholders } from '../../stacks/stack-name.js';
import type { DeployContext } from '../contract.js';

const DEPENDENCY_OUTPUT = /\{output:([^:}]+):([^}]+)\}/g;
const OWN_OUTPUT = /\{output:([^:}]+)\}/g;

/**
 * `{output:<service>:<Key>}` is an output of a service this one depends on; `{output:<Key>}` one of
 * the service's own stack (its `stackName` in the config): where infrastructure names the functions.
 */
export async function functionNames(templates: readonly string[], context: DeployContext): Promise<string[]> {
  let own: Record<string, string> | null = null;
  const names: string[] = [];
  for (const template of templates) {
    let name = fillPlaceholders(template, context.stage, context.region).replace(
      DEPENDENCY_OUTPUT,
      (_whole, service: string, key: string) =>
        context.dependencyOutputs[service]?.[key] ??
        missing(
          `output ${key} of ${service}`,
          `make ${context.service} depend on ${service} and check the output name`,
        ),
    );
    if (name.includes('{output:')) {
      if (context.stackName === null) {
        missing('its own stack', `set services."${context.service}".stackName in shipgraph.config.json`);
      }
      own ??= (await stackOutputs(context.access, context.region, context.stackName)) ?? {};
      const outputs = own;
      name = name.replace(
        OWN_OUTPUT,
        (_whole, key: string) =>
          outputs[key] ?? missing(`output ${key} of stack ${context.stackName}`, 'check the output name'),
      );
    }
    names.push(name);
  }
  return names;
}

function missing(what: string, hint: string): never {
  throw new CliError('E_DEPLOYER', `the lambda deployer's function names need ${what}, which is not there`, {
    hint,
  });
}
