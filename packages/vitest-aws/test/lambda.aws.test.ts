// invoke against Lambda on moto. moto cannot run function code without Docker, so only the error path of a
// function that does not exist is tested; a successful call and a function error need a real runtime.
import { describe, expect, it } from 'vitest';
import { invoke } from '../src/index.js';
import { region, uniqueName } from './helpers.js';

describe('invoke', () => {
  it('rejects with Lambda’s own error when the function does not exist', async () => {
    const name = uniqueName('vitest-aws-none');
    await expect(invoke(region, name, { id: 1 })).rejects.toMatchObject({
      name: 'ResourceNotFoundException',
      message: expect.stringContaining(`function:${name}`) as unknown,
    });
  });
});
