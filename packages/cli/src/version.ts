// shipgraph's own version, read from its package.json (found from this file: dist/ or dist/bundle/).
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let version: string | undefined;

export function shipgraphVersion(): string {
  if (version !== undefined) return version;
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      if (manifest.name === 'shipgraph' && typeof manifest.version === 'string')
        return (version = manifest.version);
    } catch {
      // No package.json here: look one folder up.
    }
    if (dirname(dir) === dir) return (version = 'unknown');
  }
}
