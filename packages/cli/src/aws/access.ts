// Whose AWS credentials a run uses in its stage: the build's own, or a role the stage names (often in
// another account), assumed through STS for every call shipgraph makes there and every process it starts.
// A value the run opens once and hands to whatever reaches AWS: SDK clients come from it, processes get
// its variables. Nothing holds it module-wide, so no path can forget it and act as the build instead.
import type { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { CloudWatchClient } from '@aws-sdk/client-cloudwatch';
import type { CodeDeployClient } from '@aws-sdk/client-codedeploy';
import type { LambdaClient } from '@aws-sdk/client-lambda';
import type { S3Client } from '@aws-sdk/client-s3';
import { CliError } from '../errors.js';

// The SDK warns on every run under Node 20 that its releases from 2027 need Node 22; shipgraph pins
// its SDK in the lockfile, so the notice is for us, not for each deploy's output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

/** What an SDK client's `credentials` provider returns. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

interface ClientOptions {
  region: string;
  maxAttempts: number;
  credentials?: () => Promise<Credentials>;
}

export interface StageRole {
  arn: string;
  externalId: string | null;
}

// Assumed again when less than this is left: a deploy started with credentials must be able to finish.
const REFRESH_BEFORE_MS = 15 * 60_000;

export class StageAccess {
  private assumed: Promise<Credentials> | null = null;
  /** One SDK client per service and region, made on first use (planning without AWS never loads the SDK). */
  private readonly clients = new Map<string, Promise<unknown>>();

  /** `what` the role is for, as messages name it: `stage prod`, `the state table`. */
  constructor(
    readonly what: string,
    readonly role: StageRole | null,
    private readonly region: string,
  ) {}

  /** The credentials SDK clients use in the stage: undefined means the default chain (the build's own). */
  readonly credentials = (): Promise<Credentials> => {
    const expires = (credentials: Credentials): number =>
      credentials.expiration?.getTime() ?? Number.POSITIVE_INFINITY;
    const current = this.assumed;
    if (current === null) return (this.assumed = this.assume());
    return current.then((credentials) =>
      expires(credentials) - Date.now() > REFRESH_BEFORE_MS ? credentials : (this.assumed = this.assume()),
    );
  };

  /** The build's own credentials, for what lives with the CI whatever the stage (the artifact store). */
  static ofBuild(what: string, region: string): StageAccess {
    return new StageAccess(what, null, region);
  }

  cloudFormation(region: string): Promise<CloudFormationClient> {
    return this.client(
      'cloudformation',
      region,
      async () => (await import('@aws-sdk/client-cloudformation')).CloudFormationClient,
    );
  }

  lambda(region: string): Promise<LambdaClient> {
    return this.client('lambda', region, async () => (await import('@aws-sdk/client-lambda')).LambdaClient);
  }

  s3(region: string): Promise<S3Client> {
    return this.client('s3', region, async () => (await import('@aws-sdk/client-s3')).S3Client);
  }

  cloudWatch(region: string): Promise<CloudWatchClient> {
    return this.client(
      'cloudwatch',
      region,
      async () => (await import('@aws-sdk/client-cloudwatch')).CloudWatchClient,
    );
  }

  codeDeploy(region: string): Promise<CodeDeployClient> {
    return this.client(
      'codedeploy',
      region,
      async () => (await import('@aws-sdk/client-codedeploy')).CodeDeployClient,
    );
  }

  /** For a deploy or e2e process: the role's credentials as AWS_* variables (none without a role). */
  async env(): Promise<Record<string, string>> {
    if (this.role === null) return {};
    const credentials = await this.credentials();
    return {
      AWS_ACCESS_KEY_ID: credentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: credentials.secretAccessKey,
      AWS_SESSION_TOKEN: credentials.sessionToken ?? '',
      // A profile would win over the variables in some tools; the role is what this stage uses.
      AWS_PROFILE: '',
    };
  }

  /**
   * One client per service and region, its SDK loaded on first use, with the role's credentials or
   * the default chain (the build's own).
   */
  private client<T>(
    service: string,
    region: string,
    load: () => Promise<new (options: ClientOptions) => T>,
  ): Promise<T> {
    const key = `${service}@${region}`;
    let client = this.clients.get(key) as Promise<T> | undefined;
    if (client === undefined) {
      const options: ClientOptions = {
        region,
        maxAttempts: 5,
        ...(this.role === null ? {} : { credentials: this.credentials }),
      };
      client = load().then((Client) => new Client(options));
      this.clients.set(key, client);
    }
    return client;
  }

  private async assume(): Promise<Credentials> {
    const role = this.role;
    if (role === null) throw new Error('assume() without a role');
    const { AssumeRoleCommand, STSClient } = await import('@aws-sdk/client-sts');
    const sts = new STSClient({ region: this.region, maxAttempts: 5 });
    try {
      const { Credentials: found } = await sts.send(
        new AssumeRoleCommand({
          RoleArn: role.arn,
          RoleSessionName:
            `shipgraph-${this.what.replace(/^stage /, '').replace(/[^\w+=,.@-]+/g, '-')}`.slice(0, 64),
          ...(role.externalId === null ? {} : { ExternalId: role.externalId }),
          // One hour: the most AWS allows when the build's own credentials come from a role (role chaining).
          DurationSeconds: 3600,
        }),
      );
      if (found?.AccessKeyId === undefined || found.SecretAccessKey === undefined) {
        throw new Error('STS answered without credentials');
      }
      return {
        accessKeyId: found.AccessKeyId,
        secretAccessKey: found.SecretAccessKey,
        ...(found.SessionToken === undefined ? {} : { sessionToken: found.SessionToken }),
        ...(found.Expiration === undefined ? {} : { expiration: found.Expiration }),
      };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new CliError('E_ASSUME_ROLE', `cannot assume ${role.arn} for ${this.what}: ${message}`, {
        hint: "let the build's identity assume the role (the role's trust policy, and sts:AssumeRole in the build's policy), and check externalId",
        cause: error,
      });
    } finally {
      sts.destroy();
    }
  }
}
