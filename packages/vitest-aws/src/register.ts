// `import '@shipgraph/vitest-aws/register'` (in a test or a setupFiles entry) adds the matchers to expect.
import { expect } from 'vitest';
// Kept as a bare import too, so that register.d.ts loads the matchers' types along with them.
import './matchers.js';
import { matchers } from './matchers.js';

expect.extend(matchers);
