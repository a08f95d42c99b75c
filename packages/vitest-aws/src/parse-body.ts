// Turns a message, record or response body into what predicates and comparisons see.

/** The body parsed as JSON when it is JSON, else the string itself. */
export function parseBody(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}
