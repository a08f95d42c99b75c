// JUnit XML of an e2e run, one test suite per service, for CodeBuild's test reports.
import type { E2eCase } from './junit-cases.js';
import type { E2eResult } from './e2e-step.js';

const escape = (text: string): string =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    // XML 1.0 has no way to write most control characters, not even escaped.
    // eslint-disable-next-line no-control-regex -- matching them is the point
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, '');

/**
 * Hand-written: a dozen lines of XML do not need a dependency, and escaping is the only subtle part.
 * A service's suite has one case per test when its script wrote JUnit XML ($SHIPGRAPH_E2E_JUNIT),
 * else one case per region for the whole script.
 */
export function junitXml(results: readonly E2eResult[], stage: string): string {
  const suites = new Map<string, E2eResult[]>();
  for (const result of results) suites.set(result.service, [...(suites.get(result.service) ?? []), result]);
  const regions = new Set(results.map((result) => result.region));
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escape(`shipgraph e2e ${stage}`)}">`,
  ];
  for (const [service, runs] of suites) {
    const cases: ReportCase[] = runs.flatMap((run) => casesOf(run, stage, regions.size > 1));
    const failures = cases.filter((entry) => entry.status === 'failed').length;
    const skipped = cases.filter((entry) => entry.status === 'skipped').length;
    const seconds = cases.reduce((total, entry) => total + entry.durationMs, 0) / 1000;
    lines.push(
      `  <testsuite name="${escape(service)}" tests="${cases.length}" failures="${failures}" skipped="${skipped}" time="${seconds.toFixed(3)}">`,
    );
    for (const entry of cases) {
      const open = `    <testcase classname="${escape(entry.classname)}" name="${escape(entry.name)}" time="${(entry.durationMs / 1000).toFixed(3)}"`;
      if (entry.status === 'passed') lines.push(`${open}/>`);
      else if (entry.status === 'skipped')
        lines.push(`${open}><skipped message="${escape(entry.message ?? '')}"/></testcase>`);
      else {
        const message = escape(entry.message ?? 'failed');
        const where = entry.log == null ? '' : ` (log: ${escape(entry.log)})`;
        lines.push(`${open}><failure message="${message}">${message}${where}</failure></testcase>`);
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return lines.join('\n') + '\n';
}

type ReportCase = E2eCase & { log?: string | null };

/**
 * The cases of one run: its tests, or the run as one case. A run that failed with no failing test
 * (the script crashed) keeps a case for the failure, so the report never passes what failed.
 */
function casesOf(run: E2eResult, stage: string, manyRegions: boolean): ReportCase[] {
  const whole: ReportCase = {
    classname: run.service,
    name: `e2e ${stage} ${run.region}`,
    durationMs: run.durationMs ?? 0,
    status: run.status,
    ...(run.status === 'passed' ? {} : { message: run.detail ?? run.status }),
    // Where to read why the whole run failed.
    ...(run.status === 'failed' ? { log: run.log } : {}),
  };
  if (run.cases === undefined || run.cases.length === 0) return [whole];
  const tests = run.cases.map((entry) =>
    manyRegions ? { ...entry, name: `${entry.name} [${run.region}]` } : entry,
  );
  const caught = tests.some((entry) => entry.status === 'failed');
  return run.status === 'failed' && !caught ? [...tests, whole] : tests;
}
