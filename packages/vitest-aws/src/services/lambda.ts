// invoke: calls a Lambda function synchronously and returns what it returned.
import { InvokeCommand, LambdaClient, type LambdaClientConfig } from '@aws-sdk/client-lambda';
import { withClient, type ClientOptions } from '../clients.js';
import { parseBody } from '../parse-body.js';

export type LambdaClientOptions = ClientOptions<LambdaClient, LambdaClientConfig>;

/**
 * Invokes the function with `payload` as its JSON event and resolves to its result (parsed JSON, else the
 * text; undefined when it returned nothing). A function error rejects with the function's own message.
 */
export async function invoke(
  region: string,
  functionName: string,
  payload?: unknown,
  options?: LambdaClientOptions,
): Promise<unknown> {
  const { Payload, FunctionError } = await withClient(LambdaClient, { ...options, region }, (client) =>
    client.send(
      new InvokeCommand({
        FunctionName: functionName,
        Payload: payload === undefined ? undefined : Buffer.from(JSON.stringify(payload)),
      }),
    ),
  );
  const text = Buffer.from(Payload ?? []).toString('utf8');
  const result = text === '' ? undefined : parseBody(text);
  if (FunctionError) {
    const { errorMessage } = (result ?? {}) as { errorMessage?: unknown };
    const reason = typeof errorMessage === 'string' ? errorMessage : text;
    throw new Error(`Lambda function ${functionName} failed (${FunctionError}): ${reason}`);
  }
  return result;
}
