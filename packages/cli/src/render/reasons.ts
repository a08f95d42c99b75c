// Short, human wording for the reasons a service deploys.
import type { PlannedService, Reason } from '@shipgraph/core';

/** The plan's answer for a service: yes, no, or only if the outputs it reads change. */
export const deploysWord = (service: PlannedService): string =>
  !service.deploy ? 'no' : service.conditionalOn === undefined ? 'yes' : 'if outputs change';

export function describeReason(reason: Reason): string {
  const files = reason.files ?? [];
  const detail = reason.detail === undefined ? '' : ` (${reason.detail})`;
  switch (reason.kind) {
    case 'changed':
      if (reason.via !== undefined) return `changed: ${files.join(', ')}${detail} (via ${reason.via})`;
      return reason.detail !== undefined
        ? `changed: ${files.join(', ')}${detail}`
        : `changed (${files.length} file${files.length === 1 ? '' : 's'})`;
    case 'dependency':
      return `dependency ${reason.via ?? '?'}${detail}`;
    case 'needed':
      return `needed by ${reason.via ?? '?'}${detail}`;
    case 'global':
      return `global: ${files.join(', ')}${detail}`;
    default:
      return `${reason.kind}${detail}`;
  }
}
