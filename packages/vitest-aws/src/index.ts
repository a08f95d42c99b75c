// Public API of @shipgraph/vitest-aws.
export {};
