// Where shipgraph records what is deployed, per stage. Backends implement this interface.
import type { StageState } from '@shipgraph/core';

export interface StateStore {
  /** What is recorded for the stage; an empty state when nothing is. */
  read(stage: string): Promise<StageState>;
  /** Replaces the stage's record. */
  write(state: StageState): Promise<void>;
  /** Where the records live, for messages. */
  describe(stage: string): string;
}

export const emptyState = (stage: string): StageState => ({ version: 1, stage, services: {} });
