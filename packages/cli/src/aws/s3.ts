// The S3 calls of the artifact store: put and get objects, with the build's own credentials (the
// artifact bucket lives with the CI, whichever account a stage deploys to).
import { CliError } from '../errors.js';
import type { StageAccess } from './access.js';

export interface Bucket {
  name: string;
  region: string;
  /** Whose credentials reach it. */
  access: StageAccess;
}

export async function putObject(bucket: Bucket, key: string, body: Uint8Array | string): Promise<void> {
  const { PutObjectCommand } = await import('@aws-sdk/client-s3');
  try {
    await (
      await bucket.access.s3(bucket.region)
    ).send(new PutObjectCommand({ Bucket: bucket.name, Key: key, Body: body }));
  } catch (error) {
    throw s3Error(error, `cannot write s3://${bucket.name}/${key}`);
  }
}

/** The object's bytes, or null when there is none. */
export async function getObject(bucket: Bucket, key: string): Promise<Uint8Array | null> {
  const { GetObjectCommand, NoSuchKey } = await import('@aws-sdk/client-s3');
  try {
    const found = await (
      await bucket.access.s3(bucket.region)
    ).send(new GetObjectCommand({ Bucket: bucket.name, Key: key }));
    return (await found.Body?.transformToByteArray()) ?? new Uint8Array();
  } catch (error) {
    if (error instanceof NoSuchKey) return null;
    throw s3Error(error, `cannot read s3://${bucket.name}/${key}`);
  }
}

function s3Error(error: unknown, what: string): CliError {
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return new CliError('E_ARTIFACT', `${what}: ${message}`, {
    hint: "check the stage's artifacts bucket exists and the build may read and write it",
    cause: error,
  });
}
