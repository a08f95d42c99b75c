// Types what tools/moto/vitest-global-setup.mjs provides to tests: inject('awsEndpoint') is a string.
declare module 'vitest' {
  export interface ProvidedContext {
    /** moto's base URL, e.g. http://127.0.0.1:40687; also in process.env.AWS_ENDPOINT_URL. */
    awsEndpoint: string;
  }
}

export {};
