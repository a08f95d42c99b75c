// bun.lock: the external closure of each workspace, resolved from the deepest install path up.
import { describe, expect, it } from 'vitest';
import { readBunLockfile } from './bun.js';
import { type ClosureScope, UnreadableLockfile } from './model.js';

/** As bun 1.2 writes it: JSON with trailing commas; workspaces by folder, packages by install path. */
const LOCK = `{
  "lockfileVersion": 1,
  "workspaces": {
    "": {
      "name": "acme",
      "devDependencies": {
        "serverless": "^3.38.0",
      },
    },
    "libs/util": {
      "name": "@acme/util",
      "dependencies": {
        "ms": "^2.1.0",
      },
    },
    "services/api": {
      "name": "@acme/api",
      "dependencies": {
        "@acme/util": "workspace:*",
        "is-odd": "3.0.1",
        "ms": "2.0.0",
      },
    },
  },
  "packages": {
    "@acme/api": ["@acme/api@workspace:services/api"],

    "@acme/util": ["@acme/util@workspace:libs/util"],

    "is-number": ["is-number@7.0.0", "", {}, "sha512-isnumber7"],

    "is-odd": ["is-odd@3.0.1", "", { "dependencies": { "is-number": "^6.0.0" } }, "sha512-isodd"],

    "ms": ["ms@2.1.3", "", {}, "sha512-ms213"],

    "serverless": ["serverless@3.38.0", "", {}, "sha512-serverless"],

    "@acme/api/ms": ["ms@2.0.0", "", {}, "sha512-ms200"],

    "is-odd/is-number": ["is-number@6.0.0", "", {}, "sha512-isnumber6"],
  }
}
`;

const closure = (text: string, dir: string, scope: ClosureScope = 'all'): string[] | null => {
  const found = readBunLockfile(text).closureOf(dir, scope);
  return found === null ? null : [...found].sort();
};

describe('readBunLockfile', () => {
  it('takes a workspace’s own versions (keyed under its name) and nested ones before the shared ones', () => {
    expect(closure(LOCK, 'services/api')).toEqual([
      'is-number@6.0.0#sha512-isnumber6',
      'is-odd@3.0.1#sha512-isodd',
      'ms@2.0.0#sha512-ms200',
    ]);
    expect(closure(LOCK, 'libs/util')).toEqual(['ms@2.1.3#sha512-ms213']);
  });

  it('gives the root its tooling, and null for a folder that is no workspace', () => {
    expect(closure(LOCK, '')).toEqual(['serverless@3.38.0#sha512-serverless']);
    // The root's tooling is a dev dependency: the production scope leaves it out.
    expect(closure(LOCK, '', 'production')).toEqual([]);
    expect(closure(LOCK, 'services/api', 'production')).toEqual(closure(LOCK, 'services/api'));
    expect(closure(LOCK, 'services/web')).toBeNull();
  });

  it('rejects what is not a bun.lock it knows', () => {
    expect(() => readBunLockfile('{ "lockfileVersion": 1, "packages": {')).toThrow(UnreadableLockfile);
    expect(() => readBunLockfile('{ "lockfileVersion": 9 }')).toThrow(
      new UnreadableLockfile('lockfileVersion 9 is not supported (need 0 to 2)'),
    );
  });
});
