// Bundles the compiled CLI (dist) into dist/bundle, which bin/shipgraph.js runs: one file holds what
// `plan` loads, and what other commands import when they run stays in chunks loaded then.
//
//   node packages/cli/scripts/bundle.mjs      (after tsc -b; `npm run build` runs both)
//
// Node loads one file much faster than the ~150 modules it replaces (about 40 ms of every run).
// tsc's dist stays as it is, for the types and the programmatic API.
import { cpSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const CLI = fileURLToPath(new URL('..', import.meta.url));
const OUT = join(CLI, 'dist/bundle');
const ENTRY = `
export { main } from './dist/main.js';
export { dropWritesToClosedPipes } from './dist/io.js';
`;

/** The bundle's entry: what bin/shipgraph.js imports. */
const entry = {
  name: 'entry',
  setup(on) {
    on.onResolve({ filter: /^shipgraph-cli$/ }, () => ({ path: 'shipgraph-cli', namespace: 'entry' }));
    on.onLoad({ filter: /.*/, namespace: 'entry' }, () => ({
      contents: ENTRY,
      resolveDir: CLI,
      loader: 'js',
    }));
  },
};

/**
 * yargs reads its translations from ../../../locales of its own file; bundled, that file is a chunk
 * in dist/bundle, so they are copied to dist/bundle/locales and yargs is pointed there.
 */
const yargsLocales = {
  name: 'yargs-locales',
  setup(on) {
    on.onLoad({ filter: /[\\/]yargs[\\/]lib[\\/]platform-shims[\\/]esm\.mjs$/ }, ({ path }) => {
      const source = readFileSync(path, 'utf8');
      const patched = source.replace(`'../../../locales'`, `'../locales'`);
      if (patched === source)
        throw new Error(`${path} no longer names '../../../locales'; update bundle.mjs`);
      return { contents: patched, loader: 'js' };
    });
  },
};

/**
 * yargs renders its whole help on every command (to show it later if asked for), measuring each
 * string with string-width: ~20 ms of every run. In the bundle, string-width creates its
 * Intl.Segmenter (~7 ms) and its emoji RegExp (~4 ms) when first used, not when loaded, and 7.x
 * (cliui's and wrap-ansi's copy) answers printable ASCII by its length, as 8.x does, instead of
 * segmenting it: each such character is a grapheme of its own, of width 1. No result changes.
 */
const STRING_WIDTH_REWRITES = [
  [
    'const segmenter = new Intl.Segmenter();',
    'let segmenterMade;\nconst segmenter = { segment: (text) => (segmenterMade ??= new Intl.Segmenter()).segment(text) };',
  ],
  [
    'const rgiEmojiRegex = /^\\p{RGI_Emoji}$/v;',
    'let rgiEmojiMade;\nconst rgiEmojiRegex = { test: (text) => (rgiEmojiMade ??= /^\\p{RGI_Emoji}$/v).test(text) };',
  ],
  [
    // 7.x's signature (8.x has this fast path of its own).
    'export default function stringWidth(string, options = {}) {',
    'export default function stringWidth(string, options) {\n' +
      "\treturn typeof string === 'string' && /^[\\u0020-\\u007E]*$/.test(string) ? string.length : measuredWidth(string, options);\n" +
      '}\nfunction measuredWidth(string, options = {}) {',
  ],
];
const stringWidth = {
  name: 'string-width',
  setup(on) {
    on.onLoad({ filter: /[\\/]string-width[\\/]index\.js$/ }, ({ path }) => {
      let source = readFileSync(path, 'utf8');
      if (!source.includes('Intl.Segmenter')) return undefined;
      for (const [from, to] of STRING_WIDTH_REWRITES) source = source.replace(from, to);
      if (!source.includes('segmenterMade')) throw new Error(`${path} changed; update bundle.mjs`);
      return { contents: source, loader: 'js' };
    });
  },
};

rmSync(OUT, { recursive: true, force: true });
await build({
  entryPoints: [{ in: 'shipgraph-cli', out: 'shipgraph' }],
  plugins: [entry, yargsLocales, stringWidth],
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  outdir: OUT,
  // The AWS SDK clients are already one file each, and only commands that reach AWS load them. yaml,
  // ignore and jsonc-parser are CommonJS that the code also loads with import(): esbuild's chunk for
  // such a package exports only a default, where Node gives its named exports too.
  external: ['@aws-sdk/*', 'yaml', 'ignore', 'jsonc-parser'],
  // Bundled CommonJS packages call require() for Node's modules; an ES module has no require of its own.
  banner: {
    js: "import { createRequire as __shipgraphCreateRequire } from 'node:module'; const require = __shipgraphCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
const yargs = dirname(createRequire(import.meta.url).resolve('yargs/package.json'));
cpSync(join(yargs, 'locales'), join(OUT, 'locales'), { recursive: true });
