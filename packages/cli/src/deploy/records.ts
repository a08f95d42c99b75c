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
  // Per service, each region's result so far: a deploy, or a conditional deploy the run did without.
  private readonly deploys = new Map<
    PackageName,
    Map<string, { outcome: KeptOutcome; durationMs: number } | { skipped: true }>
  >();
  private readonly tests = new Map<
    PackageName,
    Map<string, { passed: boolean; durationMs: number; carried: boolean }>
  >();
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
    await this.regionDone(planned, region, { outcome, durationMs });
  }

  /** A conditional deploy that was not needed in a region: what is there stays as recorded. */
  async skipped(planned: PlannedService, region: string): Promise<void> {
    await this.regionDone(planned, region, { skipped: true });
  }

  private async regionDone(
    planned: PlannedService,
    region: string,
    result: { outcome: KeptOutcome; durationMs: number } | { skipped: true },
  ): Promise<void> {
    const service = planned.name;
    const done = this.tallied(this.deploys, service, region, result);
    if (done === null) return;
    const ran = new Map<string, { outcome: KeptOutcome; durationMs: number }>();
    for (const [one, value] of done) if ('outcome' in value) ran.set(one, value);
    // Not deployed anywhere: its record, what is there, is as it was.
    if (ran.size === 0) return;
    const { regions, settings, keeping, now, dirty } = this.options;
    const before = this.options.previous[service];
    const stacks: Record<string, string> = {};
    for (const one of regions) {
      const name = settings.get(service)?.stackName(one) ?? null;
      if (name !== null) stacks[one] = name;
    }
    const changes = [...ran.values()].map((one) => one.outcome.changed);
    const commit = keeping.commitOf(service, this.options.head);
    const changed = changes.includes(true) ? true : changes.every((one) => one === false) ? false : null;
    const kept = await keeping.recorded(
      service,
      commit,
      regions.map((one) => ran.get(one)?.outcome.code ?? null),
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
      // A region it did not need to deploy keeps what its last deploy there gave.
      outputs: Object.fromEntries(
        regions.map((one) => [one, ran.get(one)?.outcome.outputs ?? before?.outputs?.[one] ?? {}]),
      ),
      // Tested by the e2e runs, if they run: until then, what is deployed is not.
      e2e: { status: 'untested', commit, at: now().toISOString() },
      fingerprint: dirty ? null : planned.fingerprint,
      ...(dirty ? { dirty: true } : {}),
      deployedAt: now().toISOString(),
      regions: [...regions],
      ...(Object.keys(stacks).length > 0 ? { stacks } : {}),
      durationsMs: Object.fromEntries(
        regions.map((one) => [one, ran.get(one)?.durationMs ?? before?.durationsMs?.[one] ?? 0]),
      ),
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
  async tested(run: {
    service: PackageName;
    region: string;
    /** Whether the plan deploys the service in this run (its record, if written, is this run's). */
    deploysNow: boolean;
    passed: boolean;
    durationMs: number;
    /** A fingerprint of the tests that ran (their files, the script and its config). */
    inputs: string | undefined;
    /** They did not run: nothing they test changed since they passed (the proof before holds). */
    carried: boolean;
  }): Promise<void> {
    const { service, region, deploysNow, passed, durationMs, inputs, carried } = run;
    const done = this.tallied(this.tests, service, region, { passed, durationMs, carried });
    if (done === null) return;
    const record = deploysNow
      ? (this.written.get(service) ?? this.options.previous[service])
      : this.options.previous[service];
    if (record === undefined) return;
    const proof = this.options.previous[service]?.e2e;
    const status = [...done.values()].every((one) => one.passed) ? 'passed' : 'failed';
    const durationsMs = Object.fromEntries([...done].map(([one, { durationMs: ms }]) => [one, ms]));
    const allCarried = [...done.values()].every((one) => one.carried);
    await this.options.store.record(this.options.stage, service, {
      ...record,
      // What was tested is what the record says is deployed, with these tests.
      e2e: {
        status,
        commit: record.commit,
        at: allCarried ? (proof?.at ?? this.options.now().toISOString()) : this.options.now().toISOString(),
        durationsMs,
        ...(record.cloudSince === undefined ? {} : { cloud: record.cloudSince }),
        ...(inputs === undefined ? {} : { inputs }),
        ...(allCarried && proof !== undefined ? { carriedFrom: proof.carriedFrom ?? proof.commit } : {}),
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
