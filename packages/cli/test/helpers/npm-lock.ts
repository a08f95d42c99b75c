// A small npm workspace with its package-lock.json (v3, as npm 9 and later write it), for tests of
// what a service resolves: api runs with ms and the library util (which runs with is-number) and is
// built with typescript; web runs with left-pad.
import { createHash } from 'node:crypto';

/** The versions the lockfile resolves: tests bump these, never the ranges in package.json. */
export interface Installed {
  ms: string;
  isNumber: string;
  leftPad: string;
  typescript: string;
}

export const INSTALLED: Installed = { ms: '2.1.3', isNumber: '7.0.0', leftPad: '1.3.0', typescript: '5.4.5' };

/** The workspace's package.json files, without a lockfile. */
export const MANIFESTS = {
  'package.json': { name: 'root', private: true, workspaces: ['libs/*', 'services/*'] },
  'libs/util/package.json': { name: 'util', version: '1.0.0', dependencies: { 'is-number': '^7.0.0' } },
  'services/api/package.json': {
    name: 'api',
    version: '1.0.0',
    dependencies: { ms: '^2.1.0', util: '*' },
    devDependencies: { typescript: '^5.4.0' },
  },
  'services/web/package.json': { name: 'web', version: '1.0.0', dependencies: { 'left-pad': '^1.3.0' } },
};

/** The workspace's package.json files and its lockfile. */
export const npmDependencyWorkspace = (installed: Installed = INSTALLED): Record<string, object> => ({
  ...MANIFESTS,
  'package-lock.json': packageLock(installed),
});

export function packageLock(installed: Installed): object {
  const workspace = (dir: keyof typeof MANIFESTS) => MANIFESTS[dir];
  return {
    name: 'root',
    lockfileVersion: 3,
    requires: true,
    packages: {
      '': { name: 'root', workspaces: ['libs/*', 'services/*'] },
      'libs/util': workspace('libs/util/package.json'),
      'services/api': workspace('services/api/package.json'),
      'services/web': workspace('services/web/package.json'),
      'node_modules/api': { resolved: 'services/api', link: true },
      'node_modules/is-number': registry('is-number', installed.isNumber),
      'node_modules/left-pad': registry('left-pad', installed.leftPad),
      'node_modules/ms': registry('ms', installed.ms),
      'node_modules/typescript': { ...registry('typescript', installed.typescript), dev: true },
      'node_modules/util': { resolved: 'libs/util', link: true },
      'node_modules/web': { resolved: 'services/web', link: true },
    },
  };
}

/** An entry as npm writes it for a package from the registry; the integrity stands in for the tarball's. */
const registry = (name: string, version: string) => ({
  version,
  resolved: `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`,
  integrity: `sha512-${createHash('sha512').update(`${name}@${version}`).digest('base64')}`,
});
