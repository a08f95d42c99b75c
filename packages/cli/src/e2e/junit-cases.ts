// Reads the JUnit XML an e2e script wrote to $SHIPGRAPH_E2E_JUNIT: one case per test, for the report.
import { readFile } from 'node:fs/promises';

/** One test of a service's e2e suite. */
export interface E2eCase {
  /** The test's file or suite, as the runner names it. */
  classname: string;
  name: string;
  durationMs: number;
  status: 'passed' | 'failed' | 'skipped';
  /** The failure's message (its first line), for a failed test. */
  message?: string;
}

interface JUnitCase {
  classname?: string;
  name?: string;
  time?: string;
  failure?: { message?: string; '#text'?: string } | string;
  error?: { message?: string; '#text'?: string } | string;
  skipped?: unknown;
}

/**
 * The test cases of a JUnit file (vitest's `junit` reporter, jest-junit, mocha-junit-reporter all
 * write this shape), or null when there is no file or it is not JUnit XML: the report then has one
 * case per service.
 */
export async function readJUnitCases(file: string): Promise<E2eCase[] | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch {
    return null;
  }
  const { XMLParser } = await import('fast-xml-parser');
  let parsed: {
    testsuites?: { testsuite?: { testcase?: JUnitCase[] }[] };
    testsuite?: { testcase?: JUnitCase[] }[];
  };
  try {
    parsed = new XMLParser({
      ignoreAttributes: false,
      attributeNamePrefix: '',
      isArray: (name) => name === 'testsuite' || name === 'testcase',
    }).parse(text) as typeof parsed;
  } catch {
    return null;
  }
  const suites = parsed.testsuites?.testsuite ?? parsed.testsuite;
  if (suites === undefined) return null;
  return suites.flatMap((suite) =>
    (suite.testcase ?? []).map((entry): E2eCase => {
      const problem = entry.failure ?? entry.error;
      const base = {
        classname: entry.classname ?? '',
        name: entry.name ?? '',
        durationMs: Math.round(Number(entry.time ?? 0) * 1000) || 0,
      };
      if (problem !== undefined) {
        const detail = typeof problem === 'string' ? problem : (problem.message ?? problem['#text'] ?? '');
        return { ...base, status: 'failed', message: detail.split('\n')[0] ?? '' };
      }
      return { ...base, status: entry.skipped === undefined ? 'passed' : 'skipped' };
    }),
  );
}
