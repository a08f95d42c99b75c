// Creates the AWS SDK client a matcher or utility uses, unless the caller passed one.

/** How a utility gets its client: a given one, or a new one built from this configuration. */
export interface ClientOptions<Client, Config> {
  /** A client to use as is (its own region, credentials and endpoint apply). */
  client?: Client;
  /** Extra configuration for the client created otherwise (endpoint, credentials, retries…). */
  clientConfig?: Config;
}

export interface ClientProps<Client, Config> extends ClientOptions<Client, Config> {
  region: string;
}

interface Destroyable {
  destroy(): void;
}

/**
 * Runs `use` with the given client, or with a new `Client({ ...clientConfig, region })` destroyed afterwards.
 * A plain `{ region }` is enough: the SDK reads credentials and AWS_ENDPOINT_URL from the environment itself.
 */
export async function withClient<Client extends Destroyable, Config extends object, R>(
  Client: new (config: Config & { region: string }) => Client,
  { region, client, clientConfig }: ClientProps<Client, Config>,
  use: (client: Client) => Promise<R>,
): Promise<R> {
  if (client) return use(client);
  const created = new Client({ ...(clientConfig as Config), region });
  try {
    return await use(created);
  } finally {
    created.destroy();
  }
}
