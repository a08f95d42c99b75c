// Public API of @shipgraph/vitest-aws: the matchers (registered by './register'), their props, the utilities.
export { matchers } from './matchers.js';
export type { ClientOptions } from './clients.js';
export type { PollOptions } from './poll.js';

export type { DynamoDbProps } from './matchers/to-have-item.js';
export type { ObjectBody, S3Props } from './matchers/to-have-object.js';
export type { LogsProps } from './matchers/to-have-log.js';
export type { StepFunctionsProps } from './matchers/step-functions.js';
export type { SqsProps } from './matchers/to-have-message.js';
export type { KinesisProps } from './matchers/to-have-record.js';
export type { ApiProps, ExpectedResponse } from './matchers/to-return-response.js';

export { clearAllItems, writeItems, type Item } from './services/dynamodb.js';
export { clearAllObjects } from './services/s3.js';
export { deleteAllLogs } from './services/logs.js';
export { stopRunningExecutions } from './services/step-functions.js';
export {
  subscribeToTopic,
  unsubscribeFromTopic,
  type SubscribeOptions,
  type TopicSubscription,
} from './services/sns.js';
export { invoke } from './services/lambda.js';
