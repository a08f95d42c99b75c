// toReturnResponse: an HTTP endpoint answers with this status code (and body), polled like the AWS matchers.
import type { MatcherState } from 'vitest';
import { pollDefaults, pollUntilHolds, type PollOptions } from '../poll.js';
import { printers, report, requireProps, type MatcherResult } from '../report.js';
import { request, type HttpRequest, type HttpResponse } from '../services/http.js';

/**
 * Each poll sends the request again, so a request that changes something (a POST) is repeated until it gets
 * the expected answer; pass `timeout: 0` to send it once.
 */
export interface ApiProps extends HttpRequest, PollOptions {}

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
  const { holds, actual } = await pollUntilHolds(props, async () => {
    const response = await request(props, requestTimeout);
    const actual = 'error' in response ? response : compared(response);
    return { holds: !('error' in actual) && this.equals(actual, expected, this.customTesters), actual };
  });
  return report(this, props, {
    hint: ['toReturnResponse', 'api', 'response'],
    pass: holds,
    explain: () => {
      const print = printers(this);
      return {
        subject: `${props.method} ${props.url}`,
        should: `return ${print.expected(expected)}`,
        but:
          'error' in actual ? `the request failed: ${actual.error}` : `it returned ${print.received(actual)}`,
      };
    },
    diff: { actual, expected },
  });
}
