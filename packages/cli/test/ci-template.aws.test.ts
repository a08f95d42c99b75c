// The CI templates shipped for users: ci/pipeline.yml (cfn-lint clean, deployable to moto) and buildspec.yml.
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  CloudFormationClient,
  CreateStackCommand,
  DescribeStacksCommand,
  ListStackResourcesCommand,
  waitUntilStackCreateComplete,
} from '@aws-sdk/client-cloudformation';
import { DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { execa } from 'execa';
import { intersects } from 'semver';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const templatePath = join(repoRoot, 'ci/pipeline.yml');
// Installed with moto: moto[server] depends on cfn-lint, pinned in tools/moto/constraints.txt.
const cfnLint = join(repoRoot, '.venv/bin/cfn-lint');

const cfn = new CloudFormationClient({});
const dynamodb = new DynamoDBClient({});

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The template as data; CloudFormation's short-form tags (!Ref, !Sub...) are read as their plain values. */
const templateData = (): Record<string, Json> =>
  parse(readFileSync(templatePath, 'utf8'), { logLevel: 'silent' }) as Record<string, Json>;

/** Every `Statement` entry of every IAM policy document anywhere in the template. */
function policyStatements(node: Json): Record<string, Json>[] {
  if (Array.isArray(node)) return node.flatMap(policyStatements);
  if (node === null || typeof node !== 'object') return [];
  return Object.entries(node).flatMap(([key, value]) =>
    key === 'Statement' && Array.isArray(value)
      ? (value.filter((entry) => typeof entry === 'object' && !Array.isArray(entry)) as Record<
          string,
          Json
        >[])
      : policyStatements(value),
  );
}

describe('ci/pipeline.yml', () => {
  it('passes cfn-lint with no errors, warnings or informational findings', async () => {
    const lint = await execa(cfnLint, ['--include-checks', 'I', '--', templatePath], {
      cwd: repoRoot,
      reject: false,
    });
    expect({ exitCode: lint.exitCode, stdout: lint.stdout, stderr: lint.stderr }).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: '',
    });
  });

  it('grants no wildcard action and keeps the state table recoverable', () => {
    const template = templateData();
    const statements = policyStatements(template);
    expect(statements.length).toBeGreaterThan(10);
    for (const statement of statements) {
      const actions = [statement.Action ?? []].flat();
      expect(actions.length, JSON.stringify(statement)).toBeGreaterThan(0);
      expect(actions).not.toContain('*');
      expect(actions).not.toContain('*:*');
    }
    // Pull-request code gets the deploy role only when the team chose preview stages.
    expect(template.Resources).toMatchObject({
      PullRequestProject: {
        Properties: { ServiceRole: ['PullRequestPreviews', 'DeployRole.Arn', 'PullRequestRole.Arn'] },
      },
    });
    expect(template.Conditions).toMatchObject({ PullRequestPreviews: ['PullRequests', 'preview'] });
    // moto ignores PointInTimeRecoverySpecification, so this is checked in the template.
    expect(template.Resources).toMatchObject({
      StateTable: {
        DeletionPolicy: 'Retain',
        Properties: {
          BillingMode: 'PAY_PER_REQUEST',
          PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true },
        },
      },
    });
  });

  it('deploys to moto: state table, roles, policies, log group, topic and rule', async () => {
    const stackName = `shipgraph-ci-${Date.now().toString(36)}`;
    const tableName = `${stackName}-state`;
    await cfn.send(
      new CreateStackCommand({
        StackName: stackName,
        TemplateBody: readFileSync(templatePath, 'utf8'),
        Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
        Parameters: [
          { ParameterKey: 'RepositoryUrl', ParameterValue: 'https://github.com/acme/platform.git' },
          { ParameterKey: 'ResourcePrefix', ParameterValue: 'acme-' },
          { ParameterKey: 'StateTableName', ParameterValue: tableName },
          { ParameterKey: 'SlackWebhookParameterName', ParameterValue: '/acme/slack-webhook' },
        ],
      }),
    );
    await waitUntilStackCreateComplete(
      { client: cfn, maxWaitTime: 120, minDelay: 1, maxDelay: 2 },
      { StackName: stackName },
    );

    const { Stacks } = await cfn.send(new DescribeStacksCommand({ StackName: stackName }));
    const outputs = Object.fromEntries(
      (Stacks?.[0]?.Outputs ?? []).map((output) => [output.OutputKey ?? '', output.OutputValue] as const),
    );
    // moto has no CloudFormation model for AWS::CodeBuild::Project (nor AWS::SNS::TopicPolicy): it
    // skips them, the stack still completes, and outputs that refer to a skipped resource are left out.
    // So the three projects' webhook filters, environments and log settings are checked by cfn-lint
    // against CloudFormation's schema only; if moto learns CodeBuild, these outputs appear and this fails.
    expect(outputs).toEqual({
      StateTableName: tableName,
      BuildNotificationsTopicArn: expect.stringMatching(
        new RegExp(`^arn:aws:sns:[a-z0-9-]+:\\d{12}:${stackName}-builds$`),
      ) as unknown,
      BuildLogGroupName: `/aws/codebuild/${stackName}`,
    });

    const { StackResourceSummaries } = await cfn.send(
      new ListStackResourcesCommand({ StackName: stackName }),
    );
    const created = (StackResourceSummaries ?? [])
      .filter((resource) => resource.ResourceType !== '' && resource.ResourceType !== undefined)
      .map((resource) => `${resource.LogicalResourceId ?? ''} ${resource.ResourceType ?? ''}`)
      .sort();
    expect(created).toEqual([
      'BuildBasicsPolicy AWS::IAM::ManagedPolicy',
      'BuildLogGroup AWS::Logs::LogGroup',
      'BuildNotificationsTopic AWS::SNS::Topic',
      'BuildStateRule AWS::Events::Rule',
      'DeployRole AWS::IAM::Role',
      'PullRequestRole AWS::IAM::Role',
      'SlackWebhookPolicy AWS::IAM::Policy',
      'StateTable AWS::DynamoDB::Table',
    ]);

    // The table shipgraph's dynamodb backend expects: pk/sk strings, on-demand.
    const { Table } = await dynamodb.send(new DescribeTableCommand({ TableName: tableName }));
    expect(Table).toMatchObject({
      TableStatus: 'ACTIVE',
      KeySchema: [
        { AttributeName: 'pk', KeyType: 'HASH' },
        { AttributeName: 'sk', KeyType: 'RANGE' },
      ],
      AttributeDefinitions: expect.arrayContaining([
        { AttributeName: 'pk', AttributeType: 'S' },
        { AttributeName: 'sk', AttributeType: 'S' },
      ]) as unknown,
      BillingModeSummary: { BillingMode: 'PAY_PER_REQUEST' },
    });
  });
});

describe('buildspec.yml', () => {
  it('installs, tests, deploys with shipgraph and reports both JUnit files', () => {
    const buildspec = parse(readFileSync(join(repoRoot, 'buildspec.yml'), 'utf8')) as Record<string, Json>;
    expect(buildspec.version).toBe(0.2);
    expect(buildspec.phases).toMatchObject({
      install: { 'runtime-versions': { nodejs: '$NODE_VERSION' }, commands: ['npm ci --no-audit --no-fund'] },
      pre_build: { commands: ['npm run lint --if-present', 'npm test --if-present'] },
      build: { commands: ['npx shipgraph deploy --junit reports/e2e.xml'] },
    });
    expect(buildspec.reports).toMatchObject({
      unit: { 'file-format': 'JUNITXML' },
      e2e: { files: ['reports/e2e.xml'], 'file-format': 'JUNITXML' },
    });
    expect(buildspec.cache).toEqual({ paths: ['/root/.npm/**/*'] });
  });

  it('builds on a Node.js line shipgraph supports: its default, and each NodeVersion ci/pipeline.yml allows', () => {
    const buildspec = parse(readFileSync(join(repoRoot, 'buildspec.yml'), 'utf8')) as {
      env: { variables: { NODE_VERSION: string } };
    };
    const cli = JSON.parse(readFileSync(join(repoRoot, 'packages/cli/package.json'), 'utf8')) as {
      engines: { node: string };
    };
    const { NodeVersion } = templateData().Parameters as { NodeVersion: { AllowedValues: string[] } };
    const unsupported = NodeVersion.AllowedValues.filter(
      (major) => !intersects(`${major}.x`, cli.engines.node),
    );
    expect(unsupported).toEqual([]);
    expect(NodeVersion.AllowedValues).toContain(buildspec.env.variables.NODE_VERSION);
  });
});
