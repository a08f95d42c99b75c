// A local Slack-compatible incoming webhook that keeps the `text` of every message it is sent.
import { once } from 'node:events';
import { createServer } from 'node:http';

export interface Webhook {
  url: string;
  texts: string[];
  close(): void;
}

export async function webhook(): Promise<Webhook> {
  const texts: string[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      texts.push((JSON.parse(body) as { text: string }).text);
      response.writeHead(200).end('ok');
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('no port');
  return {
    url: `http://127.0.0.1:${address.port}/hooks/secret-token`,
    texts,
    close: () => server.close(),
  };
}
