// toHaveObject and clearAllObjects against S3 on moto.
import { CreateBucketCommand, ListObjectsV2Command, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { beforeAll, describe, expect, it } from 'vitest';
import '../src/register.js';
import { clearAllObjects } from '../src/index.js';
import { after, failureOf, fast, wholeTimeout, patient, region, timed, uniqueName } from './helpers.js';

const s3 = new S3Client({ region });
const bucket = uniqueName('vitest-aws-objects');
const props = { region, bucket, ...fast };

async function put(key: string, body: string | Buffer, inBucket = bucket) {
  await s3.send(new PutObjectCommand({ Bucket: inBucket, Key: key, Body: body }));
}

beforeAll(async () => {
  await s3.send(new CreateBucketCommand({ Bucket: bucket }));
});

describe('toHaveObject', () => {
  it('passes at the first poll where the object exists, with the expected body as text or bytes', async () => {
    await put('a.txt', 'hello');
    expect(await timed(expect({ ...props, ...patient }).toHaveObject('a.txt'))).toBeLessThan(
      patient.timeout / 2,
    );
    await expect(props).toHaveObject('a.txt', 'hello');
    await expect(props).toHaveObject('a.txt', Buffer.from('hello'));
  });

  it('fails when the object is missing or its body differs', async () => {
    await put('b.txt', 'hello');
    expect(await failureOf(expect(props).toHaveObject('none.txt'))).toBe(
      `expect(bucket).toHaveObject(key)\n\nExpected bucket "${bucket}" (us-east-1) to have an object at "none.txt" within 600 ms, but it has none`,
    );
    expect(await failureOf(expect(props).toHaveObject('b.txt', 'bye'))).toBe(
      `expect(bucket).toHaveObject(key, expectedBody)\n\nExpected bucket "${bucket}" (us-east-1) to have an object at "b.txt" with body "bye" within 600 ms, but its body is "hello"`,
    );
  });

  it('fails in one line naming a bucket that does not exist', async () => {
    const none = uniqueName('vitest-aws-none');
    await expect(expect({ region, bucket: none }).toHaveObject('a.txt', 'x')).rejects.toThrow(
      new Error(
        `toHaveObject: cannot read bucket "${none}" (us-east-1): The specified bucket does not exist`,
      ),
    );
  });

  it('.not passes only when the object stays absent (or different) for the whole timeout', async () => {
    await put('c.txt', 'hello');
    expect(await timed(expect(props).not.toHaveObject('none.txt'))).toBeGreaterThanOrEqual(wholeTimeout);
    await expect(props).not.toHaveObject('c.txt', Buffer.from('bye'));
  });

  it('.not fails when the object exists', async () => {
    await put('d.txt', 'hello');
    expect(await failureOf(expect(props).not.toHaveObject('d.txt'))).toBe(
      `expect(bucket).not.toHaveObject(key)\n\nExpected bucket "${bucket}" (us-east-1) not to have an object at "d.txt" for 600 ms, but it has one`,
    );
    expect(await failureOf(expect(props).not.toHaveObject('d.txt', 'hello'))).toContain(
      'but its body is "hello"',
    );
  });

  it('waits for an object written during the timeout, and not for one written after it', async () => {
    const during = after(300, () => put('e.txt', 'hello'));
    expect(
      await timed(expect({ ...props, ...patient }).toHaveObject('e.txt', 'hello')),
    ).toBeGreaterThanOrEqual(250);
    await during;
    const late = after(1200, () => put('f.txt', 'hello'));
    expect(await failureOf(expect(props).toHaveObject('f.txt'))).toContain('but it has none');
    await late;
  });

  it('.not fails when the object appears halfway through the timeout (aws-testing-library#577)', async () => {
    const halfway = after(500, () => put('g.txt', 'hello'));
    expect(await failureOf(expect({ ...props, timeout: 1000 }).not.toHaveObject('g.txt'))).toContain(
      'but it has one',
    );
    await halfway;
  });
});

describe('clearAllObjects', () => {
  it('deletes more objects than one list page (1000) holds, only under the prefix', async () => {
    const full = uniqueName('vitest-aws-clear');
    await s3.send(new CreateBucketCommand({ Bucket: full }));
    const keys = Array.from({ length: 1005 }, (_, index) => `logs/${String(index).padStart(4, '0')}.txt`);
    // 16 PutObjects at a time: quick on moto, and no flood of sockets.
    for (let start = 0; start < keys.length; start += 16) {
      await Promise.all(keys.slice(start, start + 16).map((key) => put(key, 'x', full)));
    }
    await put('keep/me.txt', 'x', full);

    expect(await clearAllObjects(region, full, 'logs/')).toBe(1005);
    const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: full }));
    expect(Contents.map(({ Key }) => Key)).toEqual(['keep/me.txt']);
    expect(await clearAllObjects(region, full)).toBe(1);
  });
});
