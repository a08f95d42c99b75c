// `shipgraph promote --from staging --to prod`: deploys to the target stage, per service, exactly the
// package the source stage deployed and proved with its e2e tests, in dependency order.
import {
  buildGraph,
  planPromotion,
  promotionPlan,
  selectServices,
  type Promotion,
  type StageState,
} from '@shipgraph/core';
import { ArtifactStore } from '../artifacts/store.js';
import { resolveStage } from '../config/stage.js';
import { checkoutState } from '../deploy/checkout.js';
import { executePlan } from '../deploy/execute.js';
import { runOptions } from '../deploy/run-options.js';
import { renderSummary } from '../deploy/summary.js';
import { e2eChoice, e2eRequest, writeJUnit } from '../e2e/stage.js';
import { CliError } from '../errors.js';
import { serviceSettings } from '../planning/service-settings.js';
import { checkoutFingerprints } from '../planning/signatures.js';
import { promotedFrom } from '../promote/keeping.js';
import { renderPromotion } from '../promote/render.js';
import { openReporter } from '../progress/registry.js';
import { openReport } from '../report/run-report.js';
import { openRun } from '../run/context.js';
import { lockRunStage } from '../run/stage-lock.js';
import { OutputCache } from '../steps/outputs.js';
import { defineCommand } from './command.js';
import {
  deployFlags,
  e2eFlags,
  jsonFlag,
  lockFlags,
  outputFlags,
  reportFlags,
  selectionFlags,
  withFlags,
} from './options.js';

export const command = defineCommand({
  examples: [
    ['$0 promote --from staging --to prod --dry-run', 'What would be promoted, and what is refused and why'],
    ['$0 promote --from staging --to prod', 'Promote every service staging proved, in dependency order'],
    ["$0 promote --from staging --to prod --only 'orders...'", 'orders and what it depends on'],
  ],

  flags: (argv) =>
    withFlags(argv, {
      from: {
        type: 'string',
        demandOption: true,
        requiresArg: true,
        describe: 'The stage whose proven packages go',
      },
      to: { type: 'string', demandOption: true, requiresArg: true, describe: 'The stage they go to' },
      ...selectionFlags,
      'dry-run': { type: 'boolean', default: false, describe: 'Only say what would be promoted' },
      ...deployFlags,
      'skip-e2e': {
        type: 'boolean',
        default: false,
        describe: 'Do not run e2e tests in the target stage after',
      },
      ...e2eFlags,
      junit: {
        type: 'string',
        requiresArg: true,
        describe: 'Write the e2e results as JUnit XML to this file',
      },
      ...lockFlags,
      ...jsonFlag('Print the promotion (and with a run, its summary) as JSON'),
      ...reportFlags,
      ...outputFlags,
    }),

  async run(flags, io) {
    if (flags.from === flags.to) {
      throw new CliError('E_USAGE', `--from and --to are both ${flags.to}`, {
        hint: 'promote from one stage to another, e.g. --from staging --to prod',
      });
    }
    // Disposed after the lock (declared before it): the lock's last words still reach stderr.
    using reporter = await openReporter(io, flags);
    const context = await openRun(io, { stage: flags.to, build: false, reporter });
    const { checkout, stage, store, log } = context;
    const source = resolveStage(checkout.config, flags.from, io.env);
    if (source.artifacts === null) {
      throw new CliError(
        'E_CONFIG',
        `stage ${source.name} keeps no artifacts, so there is nothing to promote`,
        {
          hint: `set stages.${source.name}.artifacts ({ "bucket": "..." }) and deploy it again`,
        },
      );
    }
    const graph = buildGraph(checkout.workspace);
    const selected =
      flags.only === undefined && flags.exclude === undefined
        ? null
        : new Set(
            selectServices(graph, flags.only ?? null, flags.exclude ?? []).map((service) => service.name),
          );
    const artifacts = new ArtifactStore(source.artifacts, source.name);
    const promotionOf = async (): Promise<{ promotion: Promotion; from: StageState; to: StageState }> => {
      const [from, to] = [await store.read(source.name), await store.read(stage.name)];
      // A record whose package is no longer in the store cannot be promoted: say so before deploying.
      const gone = new Set<string>();
      for (const [service, record] of Object.entries(from.services)) {
        if (selected !== null && !selected.has(service)) continue;
        if (record.artifact !== undefined && !(await artifacts.has(service, record.commit, record.regions)))
          gone.add(service);
      }
      return { promotion: planPromotion({ graph, from, to, only: selected, gone }), from, to };
    };
    await using report = await openReport(flags.report, 'promote', context);

    if (flags.dryRun) {
      const { promotion } = await promotionOf();
      report.notes.push('dry run: nothing was deployed', ...renderPromotion(promotion).trimEnd().split('\n'));
      await report.write();
      io.stdout(flags.json ? JSON.stringify(promotion, null, 2) + '\n' : renderPromotion(promotion));
      return 0;
    }
    // Serverless services are packaged again from the checkout: it must be its commit, as committed.
    const { difference } = await checkoutState(checkout);
    if (difference !== null) {
      throw new CliError('E_DIRTY_CHECKOUT', `cannot promote: ${difference}`, {
        hint: 'commit or stash the changes: promote packages stage-bound services (Serverless) from the checkout',
      });
    }
    await using lock = await lockRunStage(context, flags.lockTimeout);
    // Read under the lock: what the target runs now decides what is promoted.
    const { promotion, from, to } = await promotionOf();
    log(renderPromotion(promotion).trimEnd());
    report.notes.push(...renderPromotion(promotion).trimEnd().split('\n'));
    const plan = promotionPlan(promotion, from, checkout.head, graph);
    report.plan = plan;
    const settings = await serviceSettings(checkout, stage.name);
    const outputs = new OutputCache(settings, context.access);
    const fingerprints = await checkoutFingerprints(checkout);
    // What was promoted is tested in the target stage once it is there (promote's plan deploys exactly that).
    const e2e =
      flags.skipE2e || !stage.e2e
        ? null
        : await e2eRequest(
            checkout,
            new Set(plan.services.filter((service) => service.deploy).map((service) => service.name)),
            e2eChoice(checkout.config, flags),
          );
    const { summary, tasks } = await executePlan({
      // The checkout is its commit, as committed (checked above).
      ...runOptions(context, lock, flags, { settings, outputs }, false),
      plan,
      failFast: false,
      previous: to.services,
      keeping: promotedFrom({
        stage: source.name,
        store: artifacts,
        records: from.services,
        fingerprintAtCheckout: (service) => fingerprints.of(service),
      }),
      e2e,
    });
    report.run = { summary, tasks };
    if (e2e !== null && summary.e2e.length > 0) {
      await writeJUnit(io.cwd, flags.junit, summary.e2e, stage.name);
      report.e2e = summary.e2e;
    }
    const refused = promotion.services.some((entry) => entry.action === 'refused');
    summary.ok &&= !refused && summary.e2e.every((result) => result.status !== 'failed');
    summary.interrupted = lock.received() ?? (lock.lost() === null ? null : 'lost lock');
    if (summary.interrupted !== null) summary.ok = false;
    await report.write();
    // The live view ends before the summary: both may share one terminal.
    reporter.close();
    io.stdout(
      flags.json ? JSON.stringify({ ...summary, promotion }, null, 2) + '\n' : renderSummary(summary),
    );
    return lock.interruptedExit() ?? (summary.ok ? 0 : 1);
  },
});
