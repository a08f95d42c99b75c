// toBeAtState and toHaveState: where the newest running execution of a Step Functions state machine is, and
// where its newest execution has been.
import { SFNClient } from '@aws-sdk/client-sfn';
import type { MatcherState } from 'vitest';
import { withClient } from '../clients.js';
import { pollUntilHolds, type PollOptions } from '../poll.js';
import { cannotRead, printers, report, requireProps, type MatcherResult } from '../report.js';
import { statesOfNewestExecution, type SfnClientProps } from '../services/step-functions.js';

export interface StepFunctionsProps extends SfnClientProps, PollOptions {
  stateMachineArn: string;
}

/** Polls the states the newest (running) execution entered until `check` accepts them. */
async function pollStates(
  props: StepFunctionsProps,
  matcher: string,
  running: boolean,
  check: (states: string[]) => boolean,
) {
  requireProps(matcher, props, ['region', 'stateMachineArn']);
  return withClient(SFNClient, props, (client) =>
    pollUntilHolds(props, async () => {
      const states = await statesOfNewestExecution(client, props.stateMachineArn, { running });
      return { holds: states !== undefined && check(states), actual: states };
    }),
  ).catch(cannotRead(matcher, `state machine ${props.stateMachineArn} (${props.region})`));
}

const subjectOf = ({ stateMachineArn, region }: StepFunctionsProps, running: boolean) =>
  `the newest ${running ? 'running ' : ''}execution of "${stateMachineArn.split(':').at(-1) ?? stateMachineArn}" (${region})`;

/**
 * The newest running execution's latest entered state is `state`, as aws-testing-library reads it: a
 * finished execution is not "at" a state (ask toHaveState where it went).
 */
export async function toBeAtState(
  this: MatcherState,
  props: StepFunctionsProps,
  state: string,
): Promise<MatcherResult> {
  const { holds, actual } = await pollStates(props, 'toBeAtState', true, (states) => states.at(-1) === state);
  const current = actual?.at(-1);
  return report(this, props, {
    hint: ['toBeAtState', 'stateMachine', 'state'],
    pass: holds,
    explain: () => {
      const print = printers(this);
      const where = current === undefined ? 'it has entered no state' : `it is at ${print.received(current)}`;
      return {
        subject: subjectOf(props, true),
        should: `be at state ${print.expected(state)}`,
        but: actual ? where : 'no execution is running',
      };
    },
    diff: { actual: current, expected: state },
  });
}

/** The newest execution has entered `state` at some point. */
export async function toHaveState(
  this: MatcherState,
  props: StepFunctionsProps,
  state: string,
): Promise<MatcherResult> {
  const { holds, actual } = await pollStates(props, 'toHaveState', false, (states) => states.includes(state));
  return report(this, props, {
    hint: ['toHaveState', 'stateMachine', 'state'],
    pass: holds,
    explain: () => {
      const print = printers(this);
      return {
        subject: subjectOf(props, false),
        should: `have entered state ${print.expected(state)}`,
        but: actual ? `it entered ${print.received(actual)}` : 'the state machine has no execution',
      };
    },
  });
}
