// toBeAtState, toHaveState and stopRunningExecutions against Step Functions on moto (which runs Pass/Wait/Succeed).
import { setTimeout as sleep } from 'node:timers/promises';
import {
  CreateStateMachineCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import { describe, expect, it } from 'vitest';
import '../src/register.js';
import { stopRunningExecutions } from '../src/index.js';
import { after, failureOf, fast, wholeTimeout, patient, region, timed, uniqueName } from './helpers.js';

const sfn = new SFNClient({ region });

// Start (Pass) → Hold (Wait, as many seconds as the input's `wait`) → Done (Succeed).
const definition = {
  StartAt: 'Start',
  States: {
    Start: { Type: 'Pass', Next: 'Hold' },
    Hold: { Type: 'Wait', SecondsPath: '$.wait', Next: 'Done' },
    Done: { Type: 'Succeed' },
  },
};

async function stateMachine() {
  const name = uniqueName('vitest-aws-machine');
  const { stateMachineArn } = await sfn.send(
    new CreateStateMachineCommand({
      name,
      definition: JSON.stringify(definition),
      roleArn: 'arn:aws:iam::123456789012:role/vitest-aws',
    }),
  );
  if (!stateMachineArn) throw new Error('CreateStateMachine returned no ARN');
  const start = async (wait: number) => {
    // moto needs an explicit execution name.
    const input = JSON.stringify({ wait });
    await sfn.send(new StartExecutionCommand({ stateMachineArn, input, name: uniqueName('run') }));
  };
  return { name, start, props: { region, stateMachineArn, ...fast } };
}

describe('toBeAtState and toHaveState', () => {
  it('toBeAtState reads the newest running execution, as aws-testing-library does; toHaveState the newest of all', async () => {
    const { start, props } = await stateMachine();
    await start(30);
    await sleep(50); // so the next execution is strictly newer
    await start(0);
    // The newer execution finished at Done; the running one waits in Hold.
    await expect({ ...props, timeout: 2000 }).toHaveState('Done');
    expect(await timed(expect({ ...props, ...patient }).toBeAtState('Hold'))).toBeLessThan(
      patient.timeout / 2,
    );
    await expect(props).toHaveState('Hold');
    await expect(props).toHaveState('Start');
    await stopRunningExecutions(region, props.stateMachineArn);
  });

  it('fail naming where the execution is, or that there is none (running)', async () => {
    const { name, start, props } = await stateMachine();
    expect(await failureOf(expect(props).toBeAtState('Done'))).toBe(
      `expect(stateMachine).toBeAtState(state)\n\nExpected the newest running execution of "${name}" (us-east-1) to be at state "Done" within 600 ms, but no execution is running`,
    );
    await start(0);
    await expect({ ...props, timeout: 2000 }).toHaveState('Done');
    // A finished execution is not at any state: toHaveState says where it went.
    expect(await failureOf(expect(props).toBeAtState('Done'))).toContain('but no execution is running');
    expect(await failureOf(expect(props).toHaveState('Shipped'))).toBe(
      `expect(stateMachine).toHaveState(state)\n\nExpected the newest execution of "${name}" (us-east-1) to have entered state "Shipped" within 600 ms, but it entered ["Start", "Hold", "Done"]`,
    );
    await start(30);
    expect(await failureOf(expect({ ...props, timeout: 1000 }).toBeAtState('Start'))).toBe(
      `expect(stateMachine).toBeAtState(state)\n\nExpected the newest running execution of "${name}" (us-east-1) to be at state "Start" within 1000 ms, but it is at "Hold"`,
    );
    await stopRunningExecutions(region, props.stateMachineArn);
  });

  it('.not passes only when the state is not reached for the whole timeout', async () => {
    const { start, props } = await stateMachine();
    await start(30);
    await expect(props).toBeAtState('Hold');
    expect(await timed(expect(props).not.toHaveState('Done'))).toBeGreaterThanOrEqual(wholeTimeout);
    await expect(props).not.toBeAtState('Start');
    await stopRunningExecutions(region, props.stateMachineArn);
  });

  it('.not fails when the newest running execution is at, or the newest has entered, the state', async () => {
    const { name, start, props } = await stateMachine();
    await start(30);
    await expect(props).toBeAtState('Hold');
    expect(await failureOf(expect(props).not.toBeAtState('Hold'))).toBe(
      `expect(stateMachine).not.toBeAtState(state)\n\nExpected the newest running execution of "${name}" (us-east-1) not to be at state "Hold" for 600 ms, but it is at "Hold"`,
    );
    expect(await failureOf(expect(props).not.toHaveState('Hold'))).toBe(
      `expect(stateMachine).not.toHaveState(state)\n\nExpected the newest execution of "${name}" (us-east-1) not to have entered state "Hold" for 600 ms, but it entered ["Start", "Hold"]`,
    );
    await stopRunningExecutions(region, props.stateMachineArn);
  });

  it('wait for an execution started during the timeout, and not for one started after it', async () => {
    const { start, props } = await stateMachine();
    const during = after(300, () => start(0));
    expect(await timed(expect({ ...props, ...patient }).toHaveState('Start'))).toBeGreaterThanOrEqual(250);
    await during;
    const other = await stateMachine();
    const late = after(1200, () => other.start(0));
    expect(await failureOf(expect(other.props).toHaveState('Start'))).toContain(
      'but the state machine has no execution',
    );
    await late;
  });

  it('.not fails when the state is entered halfway through the timeout (aws-testing-library#577)', async () => {
    const { start, props } = await stateMachine();
    const halfway = after(500, () => start(30));
    expect(await failureOf(expect({ ...props, timeout: 1000 }).not.toHaveState('Hold'))).toContain(
      'but it entered ["Start", "Hold"]',
    );
    await halfway;
    await stopRunningExecutions(region, props.stateMachineArn);
  });
});

describe('stopRunningExecutions', () => {
  it('stops every running execution and leaves finished ones alone', async () => {
    const { start, props } = await stateMachine();
    const { stateMachineArn } = props;
    const statuses = async () => {
      const { executions = [] } = await sfn.send(new ListExecutionsCommand({ stateMachineArn }));
      return executions.map(({ status }) => status).sort();
    };
    await start(0);
    // An execution is marked as succeeded a moment after it enters its Succeed state.
    await expect.poll(statuses).toEqual(['SUCCEEDED']);
    await Promise.all([start(30), start(30), start(30)]);
    expect(await stopRunningExecutions(region, stateMachineArn)).toBe(3);
    expect(await statuses()).toEqual(['ABORTED', 'ABORTED', 'ABORTED', 'SUCCEEDED']);
    expect(await stopRunningExecutions(region, stateMachineArn)).toBe(0);
  });
});
