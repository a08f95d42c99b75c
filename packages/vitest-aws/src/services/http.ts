// The HTTP request behind toReturnResponse, made with Node's global fetch.
import { parseBody } from '../parse-body.js';

export interface HttpRequest {
  url: string;
  method: string;
  /** Query parameters added to the URL. */
  params?: Record<string, string>;
  /** The request body: a string as is, anything else as JSON. */
  data?: unknown;
  headers?: Record<string, string>;
}

export interface HttpResponse {
  statusCode: number;
  /** The body parsed as JSON when it is JSON, else the text. */
  data: unknown;
}

/** The response, or why there was none (connection refused, timed out…) as one line. */
export async function request(
  { url, method, params = {}, data, headers }: HttpRequest,
  timeoutMs: number,
): Promise<HttpResponse | { error: string }> {
  const target = new URL(url);
  for (const [name, value] of Object.entries(params)) target.searchParams.set(name, value);
  const body = data === undefined || typeof data === 'string' ? data : JSON.stringify(data);
  const requestHeaders = new Headers(headers);
  const json = body !== data;
  if (json && !requestHeaders.has('content-type')) requestHeaders.set('content-type', 'application/json');
  try {
    const response = await fetch(target, {
      method,
      headers: requestHeaders,
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    return { statusCode: response.status, data: parseBody(await response.text()) };
  } catch (error) {
    // fetch says only "fetch failed"; the reason (ECONNREFUSED…) is its cause.
    const { message, cause } = error as Error;
    return { error: cause instanceof Error ? `${message}: ${cause.message}` : message };
  }
}
