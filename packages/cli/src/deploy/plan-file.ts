// A plan file handed to `deploy --plan`: read and checked whole before anything is locked or deployed.
import { readFile } from 'node:fs/promises';
import { servicesOf, type Plan } from '@shipgraph/core';
import { schemaProblems } from '../config/schema-check.js';
import { CliError } from '../errors.js';
import type { RunContext } from '../run/context.js';

/**
 * A plan saved by `plan --json`, checked whole before anything is locked or deployed: the shape by
 * plan.schema.json, then that it is for this commit, this stage and this workspace's services.
 */
export async function readPlanFile(file: string, context: RunContext): Promise<Plan> {
  const invalid = (problem: string, hint = 'pass a file written by `shipgraph plan --json`') =>
    new CliError('E_PLAN_INVALID', `${file} is not a shipgraph plan: ${problem}`, { hint });
  let document: unknown;
  try {
    document = JSON.parse(await readFile(file, 'utf8'));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw code === undefined
      ? invalid(`not JSON (${(error as Error).message})`)
      : new CliError('E_PLAN_UNREADABLE', `cannot read plan ${file}: ${(error as Error).message}`, {
          hint: 'pass the path of a file written by `shipgraph plan --json`',
          cause: error,
        });
  }
  const problems = await schemaProblems('plan', document);
  if (problems.length > 0) throw invalid(problems.join('; '));
  const plan = document as Plan;
  const names = plan.services.map((service) => service.name);
  const twice = names.find((name, i) => names.indexOf(name) !== i);
  if (twice !== undefined) throw invalid(`it lists ${twice} twice`);
  const { checkout, stage } = context;
  if (plan.head !== checkout.head) {
    throw new CliError(
      'E_PLAN_MISMATCH',
      `${file} was planned for ${plan.head.slice(0, 12)}, but this run is at ${checkout.head.slice(0, 12)}`,
      { hint: 'plan again for this commit: shipgraph plan --json > plan.json' },
    );
  }
  if (plan.stage !== stage.name) {
    throw new CliError('E_PLAN_MISMATCH', `${file} was planned for stage ${plan.stage}, not ${stage.name}`, {
      hint: `plan again with --stage ${stage.name}`,
    });
  }
  const services = new Map(servicesOf(checkout.workspace).map((service) => [service.name, service.dir]));
  const foreign = plan.services.filter((service) => services.get(service.name) !== service.path);
  const unknown = [...plan.services.flatMap((service) => service.dependsOn), ...plan.batches.flat()].filter(
    (name) => !services.has(name),
  );
  if (foreign.length > 0 || unknown.length > 0) {
    const which = [...new Set([...foreign.map((service) => service.name), ...unknown])]
      .slice(0, 3)
      .join(', ');
    throw new CliError(
      'E_PLAN_MISMATCH',
      `${file} names services that are not this workspace's (or not where it has them): ${which}`,
      { hint: 'plan again in this checkout: shipgraph plan --json > plan.json' },
    );
  }
  return plan;
}
