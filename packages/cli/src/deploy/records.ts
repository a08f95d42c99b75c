// What a run writes to the state as its steps end: a service's record once it has deployed in every
// region, and its e2e outcome once its e2e tests ran in every region.
import type { CommitSha, PackageName, PlannedService, ServiceRecord } from '@shipgraph/core';
import type { Keeping } from '../artifacts/keeping.js';
import type { KeptOutcome } from '../artifacts/kept-deploy.js';
import type { ServiceSettings } from '../planning/service-settings.js';
import type { StateStore } from '../state/store.js';

export interface RecordsOptions {
  store: StateStore;
  stage: string;
  regions: readonly string[];
  head: CommitSha;
  settings: ReadonlyMap<PackageName, ServiceSettings>;
  keeping: Keeping;
  now: () => Date;
  /** The checkout differed from the planned commit (--allow-dirty): records say so. */
  dirty: boolean;
  /** The stage's records before this run: what a service that does not deploy now is tested on. */
  previous: Readonly<Record<PackageName, ServiceRecord>>;
  /** Files the build edited as the config allows, and what they held. */
  edited?: ServiceRecord['edited'];
}

export class RunRecords {
  // Per service, each region's result so far.
  private readonly deploys = new Map<
    PackageName,
    Map<string, { outcome: KeptOutcome; durationMs: number }>
  >();
  private readonly tests = new Map<PackageName, Map<string, { passed: boolean; durationMs: number }>>();
  /** Records written by this run's deploys. */
  private readonly written = new Map<PackageName, ServiceRecord>();

  constructor(private readonly options: RecordsOptions) {}

  /** A region's deploy ended well; once every region has, the service's record is written. */
  async deployed(
    planned: PlannedService,
    region: string,
    outcome: KeptOutcome,
    durationMs: number,
  ): Promise<void> {
    const service = planned.name;
    const done = this.tallied(this.deploys, service, region, { outcome, durationMs });
    if (done === null) return;
    const { regions, settings, keeping, now, dirty } = this.options;
    const stacks: Record<string, string> = {};
    for (const one of regions) {
      const name = settings.get(service)?.stackName(one) ?? null;
      if (name !== null) stacks[one] = name;
    }
    const changes = regions.map((one) => done.get(one)?.outcome.changed ?? null);
    const commit = keeping.commitOf(service, this.options.head);
    const changed = changes.includes(true) ? true : changes.every((one) => one === false) ? false : null;
    const before = this.options.previous[service];
    const kept = await keeping.recorded(
      service,
      commit,
      regions.map((one) => done.get(one)?.outcome.code ?? null),
    );
    const record: ServiceRecord = {
      ...kept,
      commit,
      changed,
      // Nothing changed in the cloud: what is there is what the deploy before left.
      ...(changed === false
        ? before?.cloudSince === undefined
          ? {}
          : { cloudSince: before.cloudSince }
        : { cloudSince: commit }),
      outputs: Object.fromEntries(regions.map((one) => [one, done.get(one)?.outcome.outputs ?? {}])),
      // Tested by the e2e runs, if they run: until then, what is deployed is not.
      e2e: { status: 'untested', commit, at: now().toISOString() },
      fingerprint: dirty ? null : planned.fingerprint,
      ...(dirty ? { dirty: true } : {}),
      deployedAt: now().toISOString(),
      regions: [...regions],
      ...(Object.keys(stacks).length > 0 ? { stacks } : {}),
      durationsMs: Object.fromEntries(regions.map((one) => [one, done.get(one)?.durationMs ?? 0])),
      ...(this.options.edited !== undefined && this.options.edited.length > 0
        ? { edited: this.options.edited }
        : {}),
    };
    this.written.set(service, record);
    await this.options.store.record(this.options.stage, service, record);
  }

  /**
   * A region's e2e run ended, passed or failed; once every region's has, the outcome is recorded on
   * what it tested: the record this run wrote, or, for a service this run did not deploy, the one
   * before. A service that deployed in this run but not everywhere keeps its old record untouched.
   */
  async tested(
    service: PackageName,
    deploysNow: boolean,
    region: string,
    passed: boolean,
    durationMs: number,
    /** A fingerprint of the tests that ran (their files, the script and its config). */
    inputs?: string,
  ): Promise<void> {
    const done = this.tallied(this.tests, service, region, { passed, durationMs });
    if (done === null) return;
    const record = deploysNow ? this.written.get(service) : this.options.previous[service];
    if (record === undefined) return;
    const status = [...done.values()].every((one) => one.passed) ? 'passed' : 'failed';
    const durationsMs = Object.fromEntries([...done].map(([one, { durationMs: ms }]) => [one, ms]));
    await this.options.store.record(this.options.stage, service, {
      ...record,
      // What was tested is what the record says is deployed, with these tests.
      e2e: {
        status,
        commit: record.commit,
        at: this.options.now().toISOString(),
        durationsMs,
        ...(record.cloudSince === undefined ? {} : { cloud: record.cloudSince }),
        ...(inputs === undefined ? {} : { inputs }),
      },
    });
  }

  /** A service without e2e tests has nothing to prove: its record says nothing about them. */
  async untestable(service: PackageName): Promise<void> {
    const record = this.written.get(service) ?? this.options.previous[service];
    if (record?.e2e === undefined) return;
    const rest = { ...record };
    delete rest.e2e;
    await this.options.store.record(this.options.stage, service, rest);
  }

  /** Adds a region's result; returns them all once every region of the stage has one. */
  private tallied<T>(
    tallies: Map<PackageName, Map<string, T>>,
    service: PackageName,
    region: string,
    value: T,
  ): Map<string, T> | null {
    const byRegion = tallies.get(service) ?? new Map<string, T>();
    byRegion.set(region, value);
    tallies.set(service, byRegion);
    return byRegion.size === this.options.regions.length ? byRegion : null;
  }
}
