// Kinesis access for toHaveRecord: read every shard of a stream from a point in time (or its oldest record) on.
import {
  GetRecordsCommand,
  GetShardIteratorCommand,
  ListShardsCommand,
  type KinesisClient,
  type KinesisClientConfig,
} from '@aws-sdk/client-kinesis';
import type { ClientProps } from '../clients.js';
import { parseBody } from '../parse-body.js';

export type KinesisClientProps = ClientProps<KinesisClient, KinesisClientConfig>;

async function shardIds(client: KinesisClient, stream: string): Promise<string[]> {
  const ids: string[] = [];
  let NextToken: string | undefined;
  do {
    // ListShards takes either the stream name or a token, never both.
    const page = await client.send(new ListShardsCommand(NextToken ? { NextToken } : { StreamName: stream }));
    ids.push(...(page.Shards ?? []).flatMap(({ ShardId }) => ShardId ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  return ids;
}

/**
 * Opens every shard of the stream at `since` (AT_TIMESTAMP), or at its oldest record (TRIM_HORIZON), and
 * returns a function that resolves to the records (data parsed as JSON when it is JSON, else the string)
 * added since it was last called.
 */
export async function readStream(
  client: KinesisClient,
  stream: string,
  since: Date | 'TRIM_HORIZON',
): Promise<() => Promise<unknown[]>> {
  const iterators = new Map<string, string | undefined>();
  const start =
    since === 'TRIM_HORIZON'
      ? { ShardIteratorType: 'TRIM_HORIZON' as const }
      : { ShardIteratorType: 'AT_TIMESTAMP' as const, Timestamp: since };
  for (const ShardId of await shardIds(client, stream)) {
    const { ShardIterator } = await client.send(
      new GetShardIteratorCommand({ StreamName: stream, ShardId, ...start }),
    );
    iterators.set(ShardId, ShardIterator);
  }
  return async () => {
    const records: unknown[] = [];
    for (const [shardId, start] of iterators) {
      let iterator = start;
      while (iterator) {
        const page = await client.send(new GetRecordsCommand({ ShardIterator: iterator }));
        const batch = page.Records ?? [];
        records.push(...batch.map(({ Data }) => parseBody(Buffer.from(Data ?? []).toString('utf8'))));
        // A closed shard has no next iterator; the next call then skips it.
        iterator = page.NextShardIterator;
        iterators.set(shardId, iterator);
        // An empty batch may still be behind the tip of the shard (a gap in time): read on until caught up.
        if (batch.length === 0 && !page.MillisBehindLatest) break;
      }
    }
    return records;
  };
}

/**
 * The Kinesis client talks HTTP/2 by default (for SubscribeToShard); an endpoint that only speaks HTTP/1.1, such
 * as moto, then fails with a bare "Protocol error". Say how to fix it.
 */
export function explainProtocolError(error: unknown): never {
  if (error instanceof Error && (error as { code?: unknown }).code === 'ERR_HTTP2_ERROR') {
    throw new Error(
      `toHaveRecord: Kinesis answered HTTP/2 with "${error.message}"; for an HTTP/1.1 endpoint such as moto pass clientConfig: { requestHandler: new NodeHttpHandler() } (from @smithy/node-http-handler)`,
      { cause: error },
    );
  }
  throw error;
}
