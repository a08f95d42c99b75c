// Resolves the service names a user typed (`--only`, `--exclude`) against the workspace.
import { ShipgraphError } from '../errors.js';
import type { PackageName, WorkspacePackage } from '../types.js';

/**
 * Finds a service by its full name, or by its name without the npm scope when that is unique
 * (`orders` for `@acme/orders`).
 */
export function resolveServiceName(typed: string, services: readonly WorkspacePackage[]): PackageName {
  if (services.some((service) => service.name === typed)) return typed;
  const matches = services.filter((service) => service.name.replace(/^@[^/]+\//, '') === typed);
  const [only] = matches;
  if (matches.length === 1 && only !== undefined) return only.name;
  const known = services.map((service) => service.name).join(', ');
  throw new ShipgraphError(
    'E_UNKNOWN_SERVICE',
    matches.length > 1
      ? `"${typed}" matches several services: ${matches.map((s) => s.name).join(', ')}`
      : `no service named "${typed}"`,
    { hint: matches.length > 1 ? 'use the full package name' : `known services: ${known || '(none)'}` },
  );
}

/** The services left after `--only` (null: all) and `--exclude`. */
export function selectServices(
  services: readonly WorkspacePackage[],
  only: readonly string[] | null,
  exclude: readonly string[],
): WorkspacePackage[] {
  const included = only === null ? null : new Set(only.map((name) => resolveServiceName(name, services)));
  const excluded = new Set(exclude.map((name) => resolveServiceName(name, services)));
  return services.filter(
    (service) => (included === null || included.has(service.name)) && !excluded.has(service.name),
  );
}
