// A second AWS account in moto, reached through a role as a stage with `roleArn` reaches it, and what
// the tests ask of either account.
import { CloudFormationClient, DescribeStacksCommand } from '@aws-sdk/client-cloudformation';
import { AssumeRoleCommand, STSClient } from '@aws-sdk/client-sts';

export const PROD_ACCOUNT = '222222222222';
export const ROLE = `arn:aws:iam::${PROD_ACCOUNT}:role/shipgraph-deploy`;
/** A stage's settings that reach the account through the role. */
export const PROD_STAGE = { roleArn: ROLE, externalId: 'acme-ci' };

export interface AccountCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
}

/** Credentials in the role's account, as a test (not shipgraph) gets them. */
export async function assumeProdRole(): Promise<AccountCredentials> {
  const { Credentials } = await new STSClient({}).send(
    new AssumeRoleCommand({ RoleArn: ROLE, RoleSessionName: 'test', ExternalId: 'acme-ci' }),
  );
  return {
    accessKeyId: Credentials?.AccessKeyId ?? '',
    secretAccessKey: Credentials?.SecretAccessKey ?? '',
    sessionToken: Credentials?.SessionToken ?? '',
  };
}

/** Whether the stack exists for whoever holds `credentials` (the build's own when undefined). */
export async function stackExists(name: string, credentials?: AccountCredentials): Promise<boolean> {
  const cfn = new CloudFormationClient(credentials === undefined ? {} : { credentials });
  try {
    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: name }));
    return (Stacks ?? []).some((stack) => stack.StackStatus !== 'DELETE_COMPLETE');
  } catch (error) {
    if (/does not exist/.test((error as Error).message)) return false;
    throw error;
  }
}
