// Small workspace layouts for tests: npm workspaces of libraries and serverless services.
export interface Layout {
  /** Library name (without scope) → the packages it depends on. */
  libs?: Record<string, string[]>;
  /** Service name (without scope) → the packages it depends on. */
  services?: Record<string, string[]>;
}

const scoped = (name: string): string => `@acme/${name}`;

export function npmWorkspace(layout: Layout): Record<string, string | object> {
  const files: Record<string, string | object> = {
    'package.json': { name: 'acme', private: true, workspaces: ['libs/*', 'services/*'] },
    'tsconfig.base.json': { compilerOptions: { strict: true } },
  };
  for (const [name, deps] of Object.entries(layout.libs ?? {})) {
    files[`libs/${name}/package.json`] = manifest(name, deps);
    files[`libs/${name}/src/index.ts`] = `export const name = '${name}';\n`;
  }
  for (const [name, deps] of Object.entries(layout.services ?? {})) {
    files[`services/${name}/package.json`] = manifest(name, deps);
    files[`services/${name}/serverless.yml`] =
      `service: ${name}\nprovider:\n  name: aws\n  runtime: nodejs20.x\n`;
    files[`services/${name}/src/handler.ts`] = `export const handler = async () => ({ statusCode: 200 });\n`;
  }
  return files;
}

function manifest(name: string, deps: string[]): object {
  return {
    name: scoped(name),
    version: '1.0.0',
    dependencies: Object.fromEntries(deps.map((dep) => [scoped(dep), '*'])),
  };
}
