// A proxy in front of the emulator that loses answers: it passes each request on, and for the first
// request matching `lose` it throws the answer away and replies 500, as a dropped connection would
// look to the SDK, which sends the request again.
import { createServer, request, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface LossyProxy {
  url: string;
  /** Every request body that came through, in order. */
  bodies: string[];
  close: () => Promise<void>;
}

const readBody = (stream: IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    stream.on('data', (chunk: Buffer) => chunks.push(chunk));
    stream.on('end', () => {
      resolve(Buffer.concat(chunks));
    });
    stream.on('error', reject);
  });

export async function lossyProxy(target: string, lose: (body: string) => boolean): Promise<LossyProxy> {
  const to = new URL(target);
  const bodies: string[] = [];
  let lost = false;
  const server = createServer((incoming, outgoing) => {
    void (async () => {
      const body = await readBody(incoming);
      bodies.push(body.toString('utf8'));
      const passed = request(
        {
          host: to.hostname,
          port: to.port,
          path: incoming.url,
          method: incoming.method,
          headers: incoming.headers,
        },
        (answer) => {
          void readBody(answer).then((answered) => {
            if (!lost && lose(body.toString('utf8'))) {
              lost = true;
              outgoing.writeHead(500, { 'content-type': 'text/plain' }).end('lost on the way');
              return;
            }
            outgoing.writeHead(answer.statusCode ?? 502, answer.headers).end(answered);
          });
        },
      );
      passed.on('error', () => outgoing.writeHead(502).end());
      passed.end(body);
    })();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bodies,
    close: () =>
      new Promise((resolve) =>
        server.close(() => {
          resolve();
        }),
      ),
  };
}
