// Checks a document against one of the shipped JSON Schemas, with validators compiled ahead of time.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** A validator compiled from a schema by scripts/compile-schema.mjs (Ajv, standalone). */
interface CompiledValidator {
  (data: unknown): boolean;
  errors?: { instancePath: string; keyword: string; params: object; message?: string }[] | null;
}

/**
 * What is wrong with `document` by `schema/<name>.schema.json`, one phrase per problem (empty when
 * nothing is). A validator is loaded only when asked for: most of planning's start-up cost is module loading.
 */
export async function schemaProblems(name: 'config' | 'plan', document: unknown): Promise<string[]> {
  // A path relative to this file, written out: esbuild bundles both validators (scripts/bundle.mjs).
  const { validate } = (await import(`../../schema/validate-${name}.js`)) as {
    validate: CompiledValidator;
  };
  if (validate(document)) return [];
  // An `if` failing only says which `then` applies; the `then` error itself says what is wrong.
  const problems = (validate.errors ?? [])
    .filter((error) => error.keyword !== 'if')
    .map((error) => {
      const where = error.instancePath === '' ? '(top level)' : error.instancePath;
      const params = error.params as Record<string, unknown>;
      if (typeof params.additionalProperty === 'string')
        return `${where}: unknown property "${params.additionalProperty}"`;
      // A `false` schema: a property the object may not have (one deployer type's setting on another).
      if (error.keyword === 'false schema') return `${where}: not allowed here`;
      if (Array.isArray(params.allowedValues)) {
        return `${where} must be one of ${params.allowedValues.map((value) => JSON.stringify(value)).join(', ')}`;
      }
      return `${where} ${error.message ?? 'is invalid'}`;
    });
  return [...new Set(problems)];
}

/**
 * A digest of a document's text and of what judges it: the validator's source and this module as
 * loaded (bundled, it names the validator's chunk by that chunk's content hash). The same digest
 * means the same verdict; null when those files cannot be read.
 */
export function verdictDigest(name: 'config' | 'plan', text: string): string | null {
  try {
    return createHash('sha256')
      .update(readFileSync(fileURLToPath(import.meta.url)))
      .update(readFileSync(fileURLToPath(new URL(`../../schema/validate-${name}.js`, import.meta.url))))
      .update(`\0${name}\0${text}`)
      .digest('hex');
  } catch {
    return null;
  }
}
