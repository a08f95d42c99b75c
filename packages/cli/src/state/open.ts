// Opens the state backend the config names.
import type { StateConfig } from '../config/config.js';
import { DynamoDbStateStore } from './dynamodb-store.js';
import { FileStateStore } from './file-store.js';
import type { StateStore } from './store.js';

export function openStateStore(config: StateConfig, root: string, env: NodeJS.ProcessEnv): StateStore {
  if (config.backend === 'file') return new FileStateStore(root, config.dir);
  const region = config.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1');
  return new DynamoDbStateStore(config.table, region);
}
