// fulfilment against its deployed stage: the state machine ships paid orders and refuses unpaid ones.
import '@shipgraph/vitest-aws/register';
import { SFNClient, StartExecutionCommand } from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';

const region = process.env.SHIPGRAPH_REGION;
const stateMachineArn = process.env.SHIPGRAPH_OUTPUT_FULFILMENT_FULFILMENTSTATEMACHINEARN;
const sfn = new SFNClient({ region });

const start = (input) =>
  sfn.send(
    new StartExecutionCommand({ stateMachineArn, name: `e2e-${Date.now()}`, input: JSON.stringify(input) }),
  );

describe('fulfilment', () => {
  it('sends a paid express order by courier', async () => {
    await start({ orderId: 'o-1', status: 'paid', express: true });
    await expect({ region, stateMachineArn, timeout: 5000 }).toHaveState('Courier');
    await expect({ region, stateMachineArn, timeout: 5000 }).toHaveState('Shipped');
  });

  it('never ships an unpaid order', async () => {
    await start({ orderId: 'o-2', status: 'placed', express: false });
    await expect({ region, stateMachineArn, timeout: 5000 }).toHaveState('NotPaid');
    await expect({ region, stateMachineArn, timeout: 1000 }).not.toHaveState('Post');
  });
});
