// Whose AWS credentials a run uses in its stage: the build's own, or a role the stage names (often in
// another account), assumed through STS for every call shipgraph makes there and every process it starts.
import { CliError } from '../errors.js';

/** What an SDK client's `credentials` provider returns. */
export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken?: string;
  expiration?: Date;
}

export interface StageRole {
  arn: string;
  externalId: string | null;
}

// Assumed again when less than this is left: a deploy started with credentials must be able to finish.
const REFRESH_BEFORE_MS = 15 * 60_000;

export class StageAccess {
  private assumed: Promise<Credentials> | null = null;

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

let current: StageAccess | null = null;

/**
 * A run works in one stage: opening the run chooses how shipgraph reaches AWS there, and the
 * CloudFormation clients and the processes shipgraph starts follow it.
 */
export function useStageAccess(access: StageAccess): void {
  current = access;
}

/** The stage's credentials provider for an SDK client, or undefined for the default chain. */
export const stageCredentials = (): (() => Promise<Credentials>) | undefined =>
  current?.role == null ? undefined : current.credentials;

/** AWS_* variables for a process the run starts in its stage. */
export const stageEnvironment = (): Promise<Record<string, string>> =>
  current === null ? Promise.resolve({}) : current.env();
