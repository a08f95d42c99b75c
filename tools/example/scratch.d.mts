// Types of tools/example/scratch.mjs for the TypeScript tests that use it.
export declare const EXAMPLE: string;
export declare function scratchExample(dir?: string): string;
export declare function commitChange(dir: string, file: string, line: string, message: string): string;
export declare function commitEdit(
  dir: string,
  file: string,
  from: string,
  to: string,
  message: string,
): string;
