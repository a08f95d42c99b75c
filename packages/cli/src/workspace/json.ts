// Parses a workspace file's JSON, or fails with an error naming the file.
import type { ParseError } from 'jsonc-parser';
import { CliError } from '../errors.js';

/** Strict JSON, as npm and yarn read package.json. */
export function parseJson(text: string | null, file: string): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new CliError('E_WORKSPACE', `${file} is not valid JSON: ${(error as Error).message}`, {
      hint: `fix ${file}`,
      cause: error,
    });
  }
}

/**
 * JSON with comments and trailing commas, as Nx reads nx.json, project.json and workspace.json, for
 * many files at once: most are plain JSON, so the comment-aware parser loads only for the others.
 */
export async function parseJsonWithComments(
  texts: ReadonlyMap<string, string | null>,
): Promise<Map<string, unknown>> {
  const parsed = new Map<string, unknown>();
  const others: [string, string][] = [];
  for (const [file, text] of texts) {
    if (text === null) {
      parsed.set(file, null);
      continue;
    }
    try {
      parsed.set(file, JSON.parse(text));
    } catch {
      others.push([file, text]);
    }
  }
  if (others.length === 0) return parsed;
  const { parse, printParseErrorCode } = await import('jsonc-parser');
  for (const [file, text] of others) {
    const errors: ParseError[] = [];
    const value: unknown = parse(text, errors, { allowTrailingComma: true });
    const first = errors[0];
    if (first !== undefined) {
      const line = text.slice(0, first.offset).split('\n').length;
      throw new CliError(
        'E_WORKSPACE',
        `${file} is not valid JSON: ${printParseErrorCode(first.error)} at line ${line}`,
        { hint: `fix ${file}` },
      );
    }
    parsed.set(file, value);
  }
  return parsed;
}
