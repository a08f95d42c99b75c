// S3 access for toHaveObject and clearAllObjects.
import {
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  paginateListObjectsV2,
  S3Client,
  type S3ClientConfig,
} from '@aws-sdk/client-s3';
import { withClient, type ClientOptions, type ClientProps } from '../clients.js';

export type S3ClientProps = ClientProps<S3Client, S3ClientConfig>;
export type S3ClientOptions = ClientOptions<S3Client, S3ClientConfig>;

const isMissing = (error: unknown) =>
  error instanceof Error && (error.name === 'NoSuchKey' || error.name === 'NotFound');

/** Whether the object exists (HeadObject: nothing downloaded). */
export async function hasObject(client: S3Client, bucket: string, key: string): Promise<boolean> {
  try {
    await client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    return true;
  } catch (error) {
    if (isMissing(error)) return false;
    throw error;
  }
}

/** The object's body, or undefined when there is no such object. */
export async function getObjectBody(
  client: S3Client,
  bucket: string,
  key: string,
): Promise<Buffer | undefined> {
  try {
    const { Body } = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    return Buffer.from((await Body?.transformToByteArray()) ?? []);
  } catch (error) {
    if (isMissing(error)) return undefined;
    throw error;
  }
}

/** Deletes every object of `bucket` (under `prefix`), a listed page (up to 1000) per request; resolves to the count. */
export async function clearAllObjects(
  region: string,
  bucket: string,
  prefix?: string,
  options?: S3ClientOptions,
): Promise<number> {
  return withClient(S3Client, { ...options, region }, async (client) => {
    let deleted = 0;
    for await (const page of paginateListObjectsV2({ client }, { Bucket: bucket, Prefix: prefix })) {
      const objects = (page.Contents ?? []).map(({ Key }) => ({ Key }));
      if (objects.length === 0) continue;
      const { Errors = [] } = await client.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: objects, Quiet: true } }),
      );
      const [first] = Errors;
      if (first) {
        throw new Error(
          `S3 did not delete ${Errors.length} objects of bucket ${bucket}, e.g. ${first.Key}: ${first.Message}`,
        );
      }
      deleted += objects.length;
    }
    return deleted;
  });
}
