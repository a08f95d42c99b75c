// Works out a service's CloudFormation stack name: from the config, or from serverless.yml as the Framework does.
import { parse } from 'yaml';
import { CliError } from '../errors.js';

/** Replaces `{stage}` and `{region}` in a configured name or argument. */
export const fillPlaceholders = (text: string, stage: string, region: string): string =>
  text.replaceAll('{stage}', stage).replaceAll('{region}', region);

/**
 * `provider.stackName` if set, else `<service>-<stage>`, resolving the few variables a stack name
 * normally uses (`${sls:stage}`, `${opt:stage, 'dev'}`, `${self:service}`, `${aws:region}`...).
 */
export function serverlessStackName(
  serviceName: string,
  yamlText: string,
  file: string,
  stage: string,
  region: string,
): string {
  let doc: { service?: unknown; provider?: { stackName?: unknown } } | null;
  try {
    // Unknown tags (!GetAtt, !Ref...) only warn; the fields read here never use them.
    doc = parse(yamlText, { logLevel: 'silent' }) as typeof doc;
  } catch (error) {
    throw new CliError(
      'E_CONFIG',
      `${file} is not valid YAML: ${(error as Error).message.split('\n')[0] ?? ''}`,
      {
        cause: error,
      },
    );
  }
  const rawService =
    typeof doc?.service === 'object' && doc.service !== null
      ? (doc.service as { name?: unknown }).name
      : doc?.service;
  if (typeof rawService !== 'string') {
    throw new CliError('E_CONFIG', `${file} has no "service" name`, {
      hint: 'add `service: <name>` to it',
    });
  }
  const resolve = (text: string, self: string): string =>
    text.replace(/\$\{\s*([^}]+?)\s*\}/g, (whole, expression: string) => {
      const source = (expression.split(',')[0] ?? '').trim();
      if (/^(sls:stage|opt:stage|self:provider\.stage|self:custom\.stage)$/.test(source)) return stage;
      if (/^(opt:region|aws:region|self:provider\.region)$/.test(source)) return region;
      if (source === 'self:service' || source === 'self:service.name') return self;
      return whole;
    });
  const service = resolve(rawService, rawService);
  const stackName =
    typeof doc?.provider?.stackName === 'string'
      ? resolve(doc.provider.stackName, service)
      : `${service}-${stage}`;
  if (stackName.includes('${')) {
    throw new CliError(
      'E_CONFIG',
      `cannot work out the stack name of ${serviceName} from ${file} ("${stackName}")`,
      {
        hint: `set services."${serviceName}".stackName in shipgraph.config.json (placeholders {stage} and {region} work)`,
      },
    );
  }
  return stackName;
}
