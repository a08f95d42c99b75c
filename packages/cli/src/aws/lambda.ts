// The Lambda, S3, CloudWatch and CodeDeploy clients of the lambda deployer, in the stage's account (its
// role, if any).
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { stageCredentials } from './access.js';

// The code bucket serves UpdateFunctionCode in the functions' account and region, unlike the artifact
// store (aws/s3.ts), which keeps the build's own credentials.
const clients = new Map<string, Promise<unknown>>();

function cached<T>(key: string, make: () => Promise<T>): Promise<T> {
  let client = clients.get(key) as Promise<T> | undefined;
  if (client === undefined) {
    client = make();
    clients.set(key, client);
  }
  return client;
}

const options = (region: string) => {
  const credentials = stageCredentials();
  return { region, maxAttempts: 5, ...(credentials && { credentials }) };
};

export const lambda = (region: string): Promise<LambdaClient> =>
  cached(
    `lambda@${region}`,
    async () => new (await import('@aws-sdk/client-lambda')).LambdaClient(options(region)),
  );

export const codeBucketS3 = (region: string): Promise<S3Client> =>
  cached(`s3@${region}`, async () => new (await import('@aws-sdk/client-s3')).S3Client(options(region)));

export const cloudWatch = (region: string): Promise<CloudWatchClient> =>
  cached(
    `cloudwatch@${region}`,
    async () => new (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient(options(region)),
  );

export const codeDeploy = (region: string): Promise<CodeDeployClient> =>
  cached(
    `codedeploy@${region}`,
    async () => new (await import('@aws-sdk/client-codedeploy')).CodeDeployClient(options(region)),
  );
