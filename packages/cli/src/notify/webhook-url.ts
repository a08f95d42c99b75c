// Where the notification webhook URL comes from: an environment variable or an SSM parameter. Never printed.
import type { WebhookUrlSource } from '../config/config.js';

/** The URL, or why there is none to use (said in the log; the deploy itself goes on). */
export async function webhookUrl(
  source: WebhookUrlSource,
  env: NodeJS.ProcessEnv,
  defaultRegion: string,
): Promise<{ url: string } | { skipped: string }> {
  if (source.from === 'env') {
    const url = env[source.name];
    return url === undefined || url === '' ? { skipped: `${source.name} is not set` } : { url };
  }
  // Loaded only when a message is due: most runs send none.
  const { GetParameterCommand, SSMClient } = await import('@aws-sdk/client-ssm');
  const client = new SSMClient({ region: source.region ?? defaultRegion });
  try {
    const { Parameter } = await client.send(
      new GetParameterCommand({ Name: source.parameter, WithDecryption: true }),
    );
    const url = Parameter?.Value;
    return url === undefined || url === ''
      ? { skipped: `SSM parameter ${source.parameter} is empty` }
      : { url };
  } catch (error) {
    const name = error instanceof Error ? error.name : 'Error';
    return { skipped: `cannot read SSM parameter ${source.parameter} (${name})` };
  } finally {
    client.destroy();
  }
}
