// toBeAtState and toHaveState: where the newest execution of a Step Functions state machine is, or has been.
import { SFNClient } from '@aws-sdk/client-sfn';
import type { MatcherState } from 'vitest';
import { withClient } from '../clients.js';
import { pollUntilHolds, type PollOptions } from '../poll.js';
import { cannotRead, printers, report, requireProps, type MatcherResult } from '../report.js';
import { statesOfNewestExecution, type SfnClientProps } from '../services/step-functions.js';

export interface StepFunctionsProps extends SfnClientProps, PollOptions {
  stateMachineArn: string;
}

/** Polls the states the newest execution entered until `check` accepts them. */
async function pollStates(props: StepFunctionsProps, matcher: string, check: (states: string[]) => boolean) {
  requireProps(matcher, props, ['region', 'stateMachineArn']);
  return withClient(SFNClient, props, (client) =>
    pollUntilHolds(props, async () => {
      const states = await statesOfNewestExecution(client, props.stateMachineArn);
      return { holds: states !== undefined && check(states), actual: states };
    }),
  ).catch(cannotRead(matcher, `state machine ${props.stateMachineArn} (${props.region})`));
}

const subjectOf = ({ stateMachineArn, region }: StepFunctionsProps) =>
  `the newest execution of "${stateMachineArn.split(':').at(-1) ?? stateMachineArn}" (${region})`;

const noExecution = 'the state machine has no execution';

/** The newest execution's latest entered state is `state` (it may have finished there). */
export async function toBeAtState(
  this: MatcherState,
  props: StepFunctionsProps,
  state: string,
): Promise<MatcherResult> {
  const { holds, actual } = await pollStates(props, 'toBeAtState', (states) => states.at(-1) === state);
  const current = actual?.at(-1);
  return report(this, props, {
    hint: ['toBeAtState', 'stateMachine', 'state'],
    pass: holds,
    explain: () => {
      const print = printers(this);
      const where = current === undefined ? 'it has entered no state' : `it is at ${print.received(current)}`;
      return {
        subject: subjectOf(props),
        should: `be at state ${print.expected(state)}`,
        but: actual ? where : noExecution,
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
  const { holds, actual } = await pollStates(props, 'toHaveState', (states) => states.includes(state));
  return report(this, props, {
    hint: ['toHaveState', 'stateMachine', 'state'],
    pass: holds,
    explain: () => {
      const print = printers(this);
      return {
        subject: subjectOf(props),
        should: `have entered state ${print.expected(state)}`,
        but: actual ? `it entered ${print.received(actual)}` : noExecution,
      };
    },
  });
}
