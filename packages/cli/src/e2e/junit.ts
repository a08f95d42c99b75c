// JUnit XML of an e2e run, one test suite per service, for CodeBuild's test reports.
import type { E2eResult } from './run-e2e.js';

const escape = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 has no way to write most control characters, not even escaped.
    // eslint-disable-next-line no-control-regex -- matching them is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

/** Hand-written: a dozen lines of XML do not need a dependency, and escaping is the only subtle part. */
export function junitXml(results: readonly E2eResult[], stage: string): string {
  const suites = new Map<string, E2eResult[]>();
  for (const result of results) suites.set(result.service, [...(suites.get(result.service) ?? []), result]);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escape(`shipgraph e2e ${stage}`)}">`,
  ];
  for (const [service, cases] of suites) {
    const failures = cases.filter((entry) => entry.status === 'failed').length;
    const skipped = cases.filter((entry) => entry.status === 'skipped').length;
    const seconds = cases.reduce((total, entry) => total + (entry.durationMs ?? 0), 0) / 1000;
    lines.push(
      `  <testsuite name="${escape(service)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${seconds.toFixed(3)}">`,
    );
    for (const entry of cases) {
      const open = `    <testcase classname="${escape(service)}" name="${escape(`e2e ${stage} ${entry.region}`)}" time="${((entry.durationMs ?? 0) / 1000).toFixed(3)}"`;
      if (entry.status === 'passed') lines.push(`${open}/>`);
      else if (entry.status === 'skipped')
        lines.push(`${open}><skipped message="${escape(entry.detail ?? '')}"/></testcase>`);
      else {
        const message = escape(entry.detail ?? 'failed');
        const where = entry.log === null ? '' : ` (log: ${escape(entry.log)})`;
        lines.push(`${open}><failure message="${message}">${message}${where}</failure></testcase>`);
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}
