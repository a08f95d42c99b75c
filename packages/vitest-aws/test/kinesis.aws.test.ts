// toHaveRecord against Kinesis on moto.
import { CreateStreamCommand, KinesisClient, PutRecordCommand } from '@aws-sdk/client-kinesis';
import { S3Client } from '@aws-sdk/client-s3';
import { describe, expect, it } from 'vitest';
import '../src/register.js';
import { after, failureOf, fast, wholeTimeout, patient, region, timed, uniqueName } from './helpers.js';

// moto speaks HTTP/1.1 only, and the Kinesis client defaults to HTTP/2 (which only SubscribeToShard needs). Its
// HTTP/1.1 handler is borrowed from an S3 client, as @smithy/node-http-handler is no dependency of this package.
const clientConfig = { requestHandler: new S3Client({ region }).config.requestHandler };
const kinesis = new KinesisClient({ region, ...clientConfig });

interface Order {
  id: number;
}
const isOrder = (id: number) => (data: Order) => data.id === id;

async function stream() {
  const name = uniqueName('vitest-aws-stream');
  await kinesis.send(new CreateStreamCommand({ StreamName: name, ShardCount: 2 }));
  /** Puts each record with a partition key of its own; resolves to the shards they went to. */
  const put = async (...records: unknown[]) => {
    const shards = new Set<string | undefined>();
    for (const [index, record] of records.entries()) {
      const { ShardId } = await kinesis.send(
        new PutRecordCommand({
          StreamName: name,
          PartitionKey: `key-${index}`,
          Data: Buffer.from(typeof record === 'string' ? record : JSON.stringify(record)),
        }),
      );
      shards.add(ShardId);
    }
    return shards;
  };
  return { name, put, props: { region, stream: name, clientConfig, ...fast } };
}

describe('toHaveRecord', () => {
  it('reads the records of the last five minutes by default, as aws-testing-library does; since: moves that', async () => {
    const { put, props } = await stream();
    await put({ id: 20 });
    await expect(props).toHaveRecord(isOrder(20));
    // Kinesis stamps arrival to the second: a point a little after the record leaves it out.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const later = new Date();
    await put({ id: 21 });
    await expect({ ...props, since: later }).toHaveRecord(isOrder(21));
    await expect({ ...props, since: later }).not.toHaveRecord(isOrder(20));
    await expect({ ...props, since: 'TRIM_HORIZON' }).toHaveRecord(isOrder(20));
    await expect(expect({ ...props, since: 'yesterday' }).toHaveRecord(isOrder(20))).rejects.toThrow(
      new TypeError(`toHaveRecord: since must be a Date or 'TRIM_HORIZON', not "yesterday"`),
    );
  });

  it('passes at the first poll where a record of any shard matches', async () => {
    const { put, props } = await stream();
    const shards = await put(...Array.from({ length: 12 }, (_, id) => ({ id })), 'plain text');
    expect(shards.size).toBe(2);
    expect(await timed(expect({ ...props, ...patient }).toHaveRecord(isOrder(11)))).toBeLessThan(
      patient.timeout / 2,
    );
    for (let id = 0; id < 12; id++) await expect(props).toHaveRecord(isOrder(id));
    await expect(props).toHaveRecord((data) => data === 'plain text');
  });

  it('fails listing the records it read', async () => {
    const { name, put, props } = await stream();
    expect(await failureOf(expect(props).toHaveRecord(isOrder(3)))).toBe(
      `expect(stream).toHaveRecord(predicate)\n\nExpected stream "${name}" (us-east-1) to have a record matching the predicate within 600 ms, but it has no record`,
    );
    await put({ id: 1 });
    expect(await failureOf(expect(props).toHaveRecord(isOrder(3)))).toBe(
      `expect(stream).toHaveRecord(predicate)\n\nExpected stream "${name}" (us-east-1) to have a record matching the predicate within 600 ms, but none of its 1 records does: [{"id": 1}]`,
    );
  });

  it('.not passes only when no record matches for the whole timeout', async () => {
    const { put, props } = await stream();
    await put({ id: 1 });
    expect(await timed(expect(props).not.toHaveRecord(isOrder(2)))).toBeGreaterThanOrEqual(wholeTimeout);
  });

  it('.not fails when a record matches', async () => {
    const { name, put, props } = await stream();
    await put({ id: 1 });
    expect(await failureOf(expect(props).not.toHaveRecord(isOrder(1)))).toBe(
      `expect(stream).not.toHaveRecord(predicate)\n\nExpected stream "${name}" (us-east-1) not to have a record matching the predicate for 600 ms, but it has {"id": 1}`,
    );
  });

  it('waits for a record put during the timeout, and not for one put after it', async () => {
    const { put, props } = await stream();
    await put({ id: 0 });
    const during = after(300, () => put({ id: 1 }));
    expect(await timed(expect({ ...props, ...patient }).toHaveRecord(isOrder(1)))).toBeGreaterThanOrEqual(
      250,
    );
    await during;
    const late = after(1200, () => put({ id: 2 }));
    expect(await failureOf(expect(props).toHaveRecord(isOrder(2)))).toContain('none of its 2 records does');
    await late;
  });

  it('.not fails when a record is put halfway through the timeout (aws-testing-library#577)', async () => {
    const { put, props } = await stream();
    const halfway = after(500, () => put({ id: 1 }));
    expect(await failureOf(expect({ ...props, timeout: 1000 }).not.toHaveRecord(isOrder(1)))).toContain(
      'but it has {"id": 1}',
    );
    await halfway;
  });

  it('explains the HTTP/2 "Protocol error" of a default Kinesis client against moto', async () => {
    const { props } = await stream();
    const message = await failureOf(expect({ ...props, clientConfig: {} }).toHaveRecord(() => true));
    expect(message).toBe(
      'toHaveRecord: Kinesis answered HTTP/2 with "Protocol error"; for an HTTP/1.1 endpoint such as moto pass clientConfig: { requestHandler: new NodeHttpHandler() } (from @smithy/node-http-handler)',
    );
  });
});
