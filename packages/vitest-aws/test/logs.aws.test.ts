// toHaveLog and deleteAllLogs against CloudWatch Logs on moto.
import {
  CloudWatchLogsClient,
  CreateLogGroupCommand,
  CreateLogStreamCommand,
  DescribeLogStreamsCommand,
  PutLogEventsCommand,
} from '@aws-sdk/client-cloudwatch-logs';
import { describe, expect, it } from 'vitest';
import '../src/register.js';
import { deleteAllLogs } from '../src/index.js';
import { after, failureOf, fast, wholeTimeout, patient, region, timed, uniqueName } from './helpers.js';

const logs = new CloudWatchLogsClient({ region });

/** A function's log group with one stream; `log` writes lines to it now. */
async function functionLogs() {
  const name = uniqueName('vitest-aws-fn');
  const logGroupName = `/aws/lambda/${name}`;
  await logs.send(new CreateLogGroupCommand({ logGroupName }));
  await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: 'one' }));
  const log = async (...messages: string[]) => {
    const logEvents = messages.map((message) => ({ message, timestamp: Date.now() }));
    await logs.send(new PutLogEventsCommand({ logGroupName, logStreamName: 'one', logEvents }));
  };
  return { name, logGroupName, log, props: { region, function: name, ...fast } };
}

describe('toHaveLog', () => {
  it('passes at the first poll where an event matches, for a function or a log group', async () => {
    const { logGroupName, log, props } = await functionLogs();
    await log('START RequestId: 1', 'order 42 shipped to Lyon', 'END RequestId: 1');
    expect(await timed(expect({ ...props, ...patient }).toHaveLog('shipped Lyon'))).toBeLessThan(
      patient.timeout / 2,
    );
    await expect({ region, logGroupName, ...fast }).toHaveLog('"order 42"');
  });

  it('fails when no event matches (moto applies term and quoted filter patterns)', async () => {
    const { logGroupName, log, props } = await functionLogs();
    await log('order 42 shipped to Lyon');
    expect(await failureOf(expect(props).toHaveLog('shipped Paris'))).toBe(
      `expect(logs).toHaveLog(pattern)\n\nExpected log group "${logGroupName}" (us-east-1) to have an event matching "shipped Paris" within 600 ms, but none matches`,
    );
    expect(await failureOf(expect(props).toHaveLog('"Lyon order"'))).toContain('but none matches');
  });

  it('fails naming a log group that does not exist', async () => {
    const props = { region, logGroupName: uniqueName('/vitest-aws/none'), ...fast };
    expect(await failureOf(expect(props).toHaveLog('anything'))).toContain(
      'but the log group does not exist',
    );
  });

  it('.not passes only when no event matches for the whole timeout', async () => {
    const { log, props } = await functionLogs();
    await log('order 42 shipped to Lyon');
    expect(await timed(expect(props).not.toHaveLog('failed'))).toBeGreaterThanOrEqual(wholeTimeout);
  });

  it('.not fails when an event matches', async () => {
    const { logGroupName, log, props } = await functionLogs();
    await log('order 42 failed');
    expect(await failureOf(expect(props).not.toHaveLog('failed'))).toBe(
      `expect(logs).not.toHaveLog(pattern)\n\nExpected log group "${logGroupName}" (us-east-1) not to have an event matching "failed" for 600 ms, but it has "order 42 failed"`,
    );
  });

  it('only counts events since startTime', async () => {
    const { log, props } = await functionLogs();
    await log('order 42 failed');
    await expect({ ...props, startTime: Date.now() + 60_000 }).not.toHaveLog('failed');
  });

  it('waits for an event logged during the timeout, and not for one logged after it', async () => {
    const { log, props } = await functionLogs();
    const during = after(300, () => log('order 1 shipped'));
    expect(await timed(expect({ ...props, ...patient }).toHaveLog('shipped'))).toBeGreaterThanOrEqual(250);
    await during;
    const late = after(1200, () => log('order 2 failed'));
    expect(await failureOf(expect(props).toHaveLog('failed'))).toContain('but none matches');
    await late;
  });

  it('.not fails when an event is logged halfway through the timeout (aws-testing-library#577)', async () => {
    const { log, props } = await functionLogs();
    const halfway = after(500, () => log('order 3 failed'));
    expect(await failureOf(expect({ ...props, timeout: 1000 }).not.toHaveLog('failed'))).toContain(
      'but it has "order 3 failed"',
    );
    await halfway;
  });
});

describe('deleteAllLogs', () => {
  it('deletes every stream of a function log group, more than one page (50) of them', async () => {
    const { name, logGroupName } = await functionLogs();
    for (let index = 1; index < 55; index++) {
      await logs.send(new CreateLogStreamCommand({ logGroupName, logStreamName: `s${index}` }));
    }
    expect(await deleteAllLogs(region, name)).toBe(55);
    const { logStreams } = await logs.send(new DescribeLogStreamsCommand({ logGroupName }));
    expect(logStreams).toEqual([]);
    expect(await deleteAllLogs(region, logGroupName)).toBe(0);
    expect(await deleteAllLogs(region, uniqueName('vitest-aws-none'))).toBe(0);
  });
});
