// Stack outputs shared with dependent deploys: as SHIPGRAPH_OUTPUT_<SERVICE>_<KEY> variables and as a JSON file.
import type { PackageName } from '@shipgraph/core';

/** `@acme/orders-api` + `TableName` → `SHIPGRAPH_OUTPUT_ORDERS_API_TABLENAME`. */
export function outputVariable(service: PackageName, key: string): string {
  const part = (text: string) =>
    text
      .toUpperCase()
      .replace(/[^A-Z0-9]+/g, '_')
      .replace(/^_+|_+$/g, '');
  return `SHIPGRAPH_OUTPUT_${part(service.replace(/^@[^/]+\//, ''))}_${part(key)}`;
}

export function outputVariables(
  outputs: Record<PackageName, Record<string, string>>,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [service, values] of Object.entries(outputs)) {
    for (const [key, value] of Object.entries(values)) env[outputVariable(service, key)] = value;
  }
  return env;
}
