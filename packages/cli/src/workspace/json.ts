// Parses a workspace file's JSON, or fails with an error naming the file.
import { ShipgraphError } from '@shipgraph/core';
import type { ParseError } from 'jsonc-parser';

/** Strict JSON, as npm and yarn read package.json. */
export function parseJson(text: string | null, file: string): unknown {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new ShipgraphError('E_WORKSPACE', `${file} is not valid JSON: ${(error as Error).message}`, {
      hint: `fix ${file}`,
      cause: error,
    });
  }
}

/** JSON with comments and trailing commas, as Nx reads nx.json, project.json and workspace.json. */
export async function parseJsonWithComments(text: string | null, file: string): Promise<unknown> {
  if (text === null) return null;
  try {
    return JSON.parse(text);
  } catch {
    // Most files are plain JSON: the comment-aware parser loads only for the others.
  }
  const { parse, printParseErrorCode } = await import('jsonc-parser');
  const errors: ParseError[] = [];
  const value: unknown = parse(text, errors, { allowTrailingComma: true });
  const first = errors[0];
  if (first !== undefined) {
    const line = text.slice(0, first.offset).split('\n').length;
    throw new ShipgraphError(
      'E_WORKSPACE',
      `${file} is not valid JSON: ${printParseErrorCode(first.error)} at line ${line}`,
      { hint: `fix ${file}` },
    );
  }
  return value;
}
