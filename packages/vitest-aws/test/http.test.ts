// toReturnResponse against a local HTTP server whose answer changes while the matcher polls.
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import '../src/register.js';
import { after, failureOf, fast, wholeTimeout, patient, rejectionOf, timed } from './helpers.js';

interface Answer {
  /** 0: never answer. */
  status: number;
  body: (request: IncomingMessage, body: string) => string;
}

const hanging: Answer = { status: 0, body: () => '' };
const starting: Answer = { status: 503, body: () => 'starting' };
// Echoes the request, so a test can check what was sent.
const ready: Answer = {
  status: 200,
  body: ({ method, url, headers }, body) =>
    JSON.stringify({ method, url, token: headers['x-token'], type: headers['content-type'], body }),
};

let server: Server | undefined;

/** A server on 127.0.0.1 answering `initial` until `answer.current` is changed; stopped after each test. */
async function serve(initial: Answer) {
  const answer = { current: initial, requests: [] as string[] };
  server = createServer((request, response) => {
    answer.requests.push(request.method ?? '?');
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const { status, body } = answer.current;
      if (status === 0) return;
      response.writeHead(status).end(body(request, Buffer.concat(chunks).toString('utf8')));
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return {
    answer,
    url: `http://127.0.0.1:${port}/orders`,
    props: { url: `http://127.0.0.1:${port}/orders`, method: 'GET', ...fast },
  };
}

/** A port nothing listens on (fetch refuses the usual port 1 itself). */
async function closedPort() {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, 'close');
  return port;
}

afterEach(async () => {
  server?.closeAllConnections();
  server?.close();
  if (server) await once(server, 'close');
  server = undefined;
});

describe('toReturnResponse', () => {
  it('passes at the first poll with the expected status and body, sending params, data and headers', async () => {
    const { props } = await serve(ready);
    const request = {
      ...props,
      method: 'POST',
      params: { page: '2' },
      data: { id: 7 },
      headers: { 'x-token': 'secret' },
    };
    const echo = {
      method: 'POST',
      url: '/orders?page=2',
      token: 'secret',
      type: 'application/json',
      body: '{"id":7}',
    };
    const took = await timed(
      expect({ ...request, ...patient }).toReturnResponse({ statusCode: 200, data: echo }),
    );
    expect(took).toBeLessThan(patient.timeout / 2);
    await expect(props).toReturnResponse({ statusCode: 200 });
    await expect({ ...props, method: 'PUT', data: 'text' }).toReturnResponse({
      statusCode: 200,
      data: expect.objectContaining({ body: 'text', type: 'text/plain;charset=UTF-8' }),
    });
  });

  it('fails showing what the endpoint returned, or why the request failed', async () => {
    const { url, props } = await serve(starting);
    expect(await failureOf(expect(props).toReturnResponse({ statusCode: 200, data: 'ok' }))).toBe(
      `expect(api).toReturnResponse(response)\n\nExpected GET ${url} to return {"data": "ok", "statusCode": 200} within 600 ms, but it returned {"data": "starting", "statusCode": 503}`,
    );
    const error = await rejectionOf(expect(props).toReturnResponse({ statusCode: 200, data: 'ok' }));
    expect(error).toMatchObject({
      actual: { statusCode: 503, data: 'starting' },
      expected: { statusCode: 200, data: 'ok' },
    });
    const port = await closedPort();
    const closed = { ...props, url: `http://127.0.0.1:${port}/` };
    expect(await failureOf(expect(closed).toReturnResponse({ statusCode: 200 }))).toBe(
      `expect(api).toReturnResponse(response)\n\nExpected GET http://127.0.0.1:${port}/ to return {"statusCode": 200} within 600 ms, but the request failed: fetch failed: connect ECONNREFUSED 127.0.0.1:${port}`,
    );
  });

  it('gives up on a request that hangs, after the timeout (at least a second)', async () => {
    const { props } = await serve(hanging);
    const failure = failureOf(expect({ ...props, timeout: 300 }).toReturnResponse({ statusCode: 200 }));
    expect(await timed(failure)).toBeLessThan(2000);
    expect(await failure).toContain('but the request failed: The operation was aborted due to timeout');
  });

  it('.not passes only when the response stays different for the whole timeout', async () => {
    const { props } = await serve(starting);
    expect(await timed(expect(props).not.toReturnResponse({ statusCode: 200 }))).toBeGreaterThanOrEqual(
      wholeTimeout,
    );
  });

  it('.not fails when the endpoint returns the response', async () => {
    const { url, props } = await serve(starting);
    const error = await rejectionOf(expect(props).not.toReturnResponse({ statusCode: 503 }));
    expect(error.actual).toBeUndefined(); // nothing to diff: what was returned is what was not wanted
    expect(await failureOf(expect(props).not.toReturnResponse({ statusCode: 503, data: 'starting' }))).toBe(
      `expect(api).not.toReturnResponse(response)\n\nExpected GET ${url} not to return {"data": "starting", "statusCode": 503} for 600 ms, but it returned {"data": "starting", "statusCode": 503}`,
    );
  });

  it('retries until the answer changes during the timeout, and fails when it changes after', async () => {
    const { answer, props } = await serve(starting);
    const during = after(300, () => (answer.current = ready));
    expect(
      await timed(expect({ ...props, ...patient }).toReturnResponse({ statusCode: 200 })),
    ).toBeGreaterThanOrEqual(250);
    await during;
    answer.current = starting;
    const late = after(1200, () => (answer.current = ready));
    expect(await failureOf(expect(props).toReturnResponse({ statusCode: 200 }))).toContain(
      '"statusCode": 503}',
    );
    await late;
  });

  it('sends a POST, PUT, PATCH or DELETE once, as aws-testing-library does, unless resend: true', async () => {
    const { answer, url, props } = await serve(starting);
    const during = after(300, () => (answer.current = ready));
    for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
      expect(
        await failureOf(expect({ ...props, ...patient, method }).toReturnResponse({ statusCode: 200 })),
      ).toBe(
        `expect(api).toReturnResponse(response)\n\nExpected ${method} ${url} (sent once; resend: true polls it) to return {"statusCode": 200}, but it returned {"statusCode": 503}`,
      );
    }
    expect(answer.requests).toEqual(['POST', 'PUT', 'PATCH', 'DELETE']);
    await during;
    answer.current = starting;
    answer.requests.length = 0;
    const later = after(300, () => (answer.current = ready));
    await expect({ ...props, ...patient, method: 'POST', resend: true }).toReturnResponse({
      statusCode: 200,
    });
    expect(answer.requests.length).toBeGreaterThan(1);
    await later;
  });

  it('.not fails when the answer changes halfway through the timeout (aws-testing-library#577)', async () => {
    const { answer, props } = await serve(starting);
    const halfway = after(500, () => (answer.current = ready));
    expect(
      await failureOf(expect({ ...props, timeout: 1000 }).not.toReturnResponse({ statusCode: 200 })),
    ).toContain('but it returned {');
    await halfway;
  });
});
