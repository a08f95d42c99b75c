// toReturnResponse: an HTTP endpoint answers with this status code (and body), polled like the AWS matchers.
import type { MatcherState } from 'vitest';
import { pollDefaults, pollUntilHolds, type PollOptions } from '../poll.js';
import { printers, report, requireProps, type MatcherResult } from '../report.js';
import { request, type HttpRequest, type HttpResponse } from '../services/http.js';

/**
 * A GET, HEAD or OPTIONS request is sent again at each poll until it gets the expected answer. Any other
 * (POST, PUT, PATCH, DELETE) changes something, so it is sent once, as aws-testing-library does, unless
 * `resend: true` asks for it to be polled too.
 */
export interface ApiProps extends HttpRequest, PollOptions {
  resend?: boolean;
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface ExpectedResponse {
  statusCode: number;
  /** The expected body (parsed JSON, else text); the body is not compared when left out. */
  data?: unknown;
}

export async function toReturnResponse(
  this: MatcherState,
  props: ApiProps,
  expected: ExpectedResponse,
): Promise<MatcherResult> {
  requireProps('toReturnResponse', props, ['url', 'method']);
  // A hanging server must not hold the poll past its timeout; a single poll (timeout 0) still gets a second.
  const requestTimeout = Math.max(props.timeout ?? pollDefaults.timeout, 1000);
  const compared = (response: HttpResponse) =>
    'data' in expected ? response : { statusCode: response.statusCode };
  const resend = props.resend ?? SAFE_METHODS.has(props.method.toUpperCase());
  const polled = resend ? props : { ...props, timeout: 0 };
  const { holds, actual } = await pollUntilHolds(polled, async () => {
    const response = await request(props, requestTimeout);
    const actual = 'error' in response ? response : compared(response);
    return { holds: !('error' in actual) && this.equals(actual, expected, this.customTesters), actual };
  });
  return report(this, polled, {
    hint: ['toReturnResponse', 'api', 'response'],
    pass: holds,
    explain: () => {
      const print = printers(this);
      const once = resend ? '' : ' (sent once; resend: true polls it)';
      return {
        subject: `${props.method} ${props.url}${once}`,
        should: `return ${print.expected(expected)}`,
        but:
          'error' in actual ? `the request failed: ${actual.error}` : `it returned ${print.received(actual)}`,
      };
    },
    diff: { actual, expected },
  });
}
