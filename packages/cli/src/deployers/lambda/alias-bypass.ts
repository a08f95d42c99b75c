// Whether a CloudFormation template sends traffic to its functions past an alias: the check a rollout
// through that alias needs, since weights on an alias move only the traffic that invokes the alias.

/** A function the template defines: its logical id and the name it is created with. */
export interface TemplateFunction {
  logicalId: string;
  name: string;
}

export interface Template {
  Resources?: Record<string, { Type?: string; Properties?: unknown }>;
  Outputs?: Record<string, unknown>;
}

// Resources that name a function without invoking it (its versions, its permissions, its log group,
// its role, alarms on it). Everything else that names the function unqualified counts as traffic.
const NOT_INVOKING = new Set([
  'AWS::Lambda::Version',
  'AWS::Lambda::Permission',
  'AWS::Lambda::EventInvokeConfig',
  'AWS::Logs::LogGroup',
  'AWS::IAM::Role',
  'AWS::IAM::Policy',
  'AWS::IAM::ManagedPolicy',
  'AWS::CloudWatch::Alarm',
]);

/** The template's functions with a literal FunctionName (the Serverless Framework always sets one). */
export function templateFunctions(template: Template): TemplateFunction[] {
  return Object.entries(template.Resources ?? {}).flatMap(([logicalId, resource]) => {
    if (resource.Type !== 'AWS::Lambda::Function') return [];
    const name = (resource.Properties as { FunctionName?: unknown } | undefined)?.FunctionName;
    return typeof name === 'string' ? [{ logicalId, name }] : [];
  });
}

/**
 * Where the template invokes `fn` other than through `alias`: resource logical ids (and `output <key>`
 * for outputs handing the unqualified function to others). An alias resource of the same name is one
 * too: CloudFormation would move that alias itself, at once.
 */
export function aliasBypasses(template: Template, fn: TemplateFunction, alias: string): string[] {
  const found: string[] = [];
  for (const [id, resource] of Object.entries(template.Resources ?? {})) {
    if (id === fn.logicalId || NOT_INVOKING.has(resource.Type ?? '')) continue;
    if (resource.Type === 'AWS::Lambda::Alias') {
      const properties = resource.Properties as { Name?: unknown; FunctionName?: unknown } | undefined;
      if (properties?.Name === alias && names(properties.FunctionName, fn)) found.push(id);
      continue;
    }
    if (unqualified(resource.Properties, fn, alias)) found.push(id);
  }
  for (const [key, output] of Object.entries(template.Outputs ?? {})) {
    if (unqualified(output, fn, alias)) found.push(`output ${key}`);
  }
  return found;
}

/** Whether `value` is a reference to the function itself (Ref, GetAtt Arn, its name). */
function names(value: unknown, fn: TemplateFunction): boolean {
  if (typeof value === 'string') return value === fn.name;
  if (!isObject(value)) return false;
  if (value.Ref === fn.logicalId) return true;
  const getAtt = value['Fn::GetAtt'];
  return (
    (Array.isArray(getAtt) && getAtt[0] === fn.logicalId && getAtt[1] === 'Arn') ||
    getAtt === `${fn.logicalId}.Arn`
  );
}

/** Whether anything in `value` names the function without `:<alias>` after it. */
function unqualified(value: unknown, fn: TemplateFunction, alias: string): boolean {
  if (names(value, fn)) return true;
  if (typeof value === 'string') return unqualifiedInText(value, `:function:${fn.name}`, alias);
  if (Array.isArray(value)) return value.some((item) => unqualified(item, fn, alias));
  if (!isObject(value)) return false;
  const join = value['Fn::Join'];
  if (Array.isArray(join) && typeof join[0] === 'string' && Array.isArray(join[1])) {
    return unqualifiedInJoin(join[0], join[1] as unknown[], fn, alias);
  }
  const sub = value['Fn::Sub'];
  if (sub !== undefined) {
    const [text, variables]: unknown[] = Array.isArray(sub) ? (sub as unknown[]) : [sub];
    return (
      (typeof text === 'string' &&
        [`\${${fn.logicalId}}`, `\${${fn.logicalId}.Arn}`, `:function:${fn.name}`].some((needle) =>
          unqualifiedInText(text, needle, alias),
        )) ||
      unqualified(variables, fn, alias)
    );
  }
  return Object.values(value).some((item) => unqualified(item, fn, alias));
}

/** In Fn::Join, a reference is qualified when the next part puts `:<alias>` right after it. */
function unqualifiedInJoin(
  delimiter: string,
  parts: readonly unknown[],
  fn: TemplateFunction,
  alias: string,
): boolean {
  return parts.some((part, index) => {
    if (!names(part, fn)) return unqualified(part, fn, alias);
    const next = parts[index + 1];
    const after = typeof next === 'string' ? `${delimiter}${next}` : '';
    return !qualifiedBy(after, alias);
  });
}

/** Whether `needle` occurs in `text` without `:<alias>` straight after it. */
function unqualifiedInText(text: string, needle: string, alias: string): boolean {
  for (let at = text.indexOf(needle); at >= 0; at = text.indexOf(needle, at + 1)) {
    const after = text.slice(at + needle.length);
    // A longer name (`:function:api-worker` when looking for `:function:api`) is another function.
    if (/^[\w-]/.test(after) && !needle.endsWith('}')) continue;
    if (!qualifiedBy(after, alias)) return true;
  }
  return false;
}

const qualifiedBy = (after: string, alias: string): boolean =>
  after.startsWith(`:${alias}`) && !/^[\w-]/.test(after.slice(alias.length + 1));

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);
