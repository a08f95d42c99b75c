// Opens the state backend the config names.
import type { StateConfig } from '../config/config.js';
import { StageAccess } from '../aws/access.js';
import { DynamoDbStateStore } from './dynamodb-store.js';
import { FileStateStore } from './file-store.js';
import type { StateStore } from './store.js';

export function openStateStore(config: StateConfig, root: string, env: NodeJS.ProcessEnv): StateStore {
  if (config.backend === 'file') return new FileStateStore(root, config.dir);
  const region = config.region ?? (env.AWS_REGION || env.AWS_DEFAULT_REGION || 'us-east-1');
  // The table may live in another account than the build's: then its own role reaches it.
  const access = config.role === null ? null : new StageAccess('the state table', config.role, region);
  return new DynamoDbStateStore(config.table, region, access?.credentials);
}
