// The CI templates shipped for users: ci/pipeline.yml and ci/target-account-role.yml (cfn-lint clean,
// deployable to moto as far as moto goes), buildspec.yml and the pipeline's ci/buildspec-*.yml.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
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
import { GetBucketEncryptionCommand, S3Client } from '@aws-sdk/client-s3';
import { execa } from 'execa';
import { intersects } from 'semver';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';

const repoRoot = resolve(fileURLToPath(new URL('.', import.meta.url)), '../../..');
const templatePath = join(repoRoot, 'ci/pipeline.yml');
const targetRolePath = join(repoRoot, 'ci/target-account-role.yml');
// Installed with moto: moto[server] depends on cfn-lint, pinned in tools/moto/constraints.txt.
const cfnLint = join(repoRoot, '.venv/bin/cfn-lint');

const cfn = new CloudFormationClient({});
const dynamodb = new DynamoDBClient({});
const s3 = new S3Client({ forcePathStyle: true });

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/**
 * A template or buildspec as data; CloudFormation's short-form tags (!Ref, !Sub...) are read as their plain
 * values (`!Ref X` is "X", `!If [c, a, b]` is [c, a, b]).
 */
const yamlData = (path: string): Record<string, Json> =>
  parse(readFileSync(path, 'utf8'), { logLevel: 'silent' }) as Record<string, Json>;
const templateData = (): Record<string, Json> => yamlData(templatePath);

const objectAt = (node: Json | undefined, ...keys: (string | number)[]): Record<string, Json> => {
  let value = node;
  for (const key of keys) {
    value = typeof key === 'number' ? (value as Json[])[key] : (value as Record<string, Json>)[key];
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new Error(`no object at ${keys.join('.')}`);
  }
  return value;
};

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

const stringOf = (value: Json | undefined): string => {
  if (typeof value !== 'string') throw new Error(`not a string: ${JSON.stringify(value)}`);
  return value;
};

/** Creates a stack in moto and waits for it; returns its outputs and its resources as "Id Type", sorted. */
async function createStack(
  stackName: string,
  path: string,
  parameters: Record<string, string>,
): Promise<{
  outputs: Record<string, string | undefined>;
  resources: string[];
  physicalIds: Map<string, string>;
}> {
  await cfn.send(
    new CreateStackCommand({
      StackName: stackName,
      TemplateBody: readFileSync(path, 'utf8'),
      Capabilities: ['CAPABILITY_IAM', 'CAPABILITY_NAMED_IAM'],
      Parameters: Object.entries(parameters).map(([ParameterKey, ParameterValue]) => ({
        ParameterKey,
        ParameterValue,
      })),
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
  const { StackResourceSummaries } = await cfn.send(new ListStackResourcesCommand({ StackName: stackName }));
  const summaries = (StackResourceSummaries ?? []).filter(
    (resource) => resource.ResourceType !== '' && resource.ResourceType !== undefined,
  );
  return {
    outputs,
    resources: summaries
      .map((resource) => `${resource.LogicalResourceId ?? ''} ${resource.ResourceType ?? ''}`)
      .sort(),
    physicalIds: new Map(
      summaries.map((resource) => [resource.LogicalResourceId ?? '', resource.PhysicalResourceId ?? '']),
    ),
  };
}

describe.each([templatePath, targetRolePath])('%s', (path) => {
  it('passes cfn-lint with no errors, warnings or informational findings', async () => {
    const lint = await execa(cfnLint, ['--include-checks', 'I', '--', path], {
      cwd: repoRoot,
      reject: false,
    });
    expect({ exitCode: lint.exitCode, stdout: lint.stdout, stderr: lint.stderr }).toEqual({
      exitCode: 0,
      stdout: '',
      stderr: '',
    });
  });

  it("keeps the CI's own roles out of its deploy role's reach, whatever their names", () => {
    const resources = objectAt(yamlData(path), 'Resources');
    const roles = Object.entries(resources).filter(
      ([, resource]) => objectAt(resource).Type === 'AWS::IAM::Role',
    );
    expect(roles.length).toBeGreaterThan(0);
    for (const [id, role] of roles) {
      expect(objectAt(role, 'Properties').Tags, id).toContainEqual({
        Key: 'shipgraph:ci-role',
        Value: 'AWS::StackName',
      });
    }
    const statements = objectAt(resources, 'DeployRole', 'Properties', 'Policies', 0, 'PolicyDocument')
      .Statement as Record<string, Json>[];
    // Roles named with the prefix are in reach: a CI stack named acme-ci with prefix acme- names its
    // own roles so (acme-ci-DeployRole-...). The tag takes them out again.
    const serviceRoles = statements.find((statement) => statement.Sid === 'ServiceRoles');
    expect(stringOf(serviceRoles?.Resource)).toMatch(/:role\/\$\{ResourcePrefix\}\*$/);
    expect(statements).toContainEqual({
      Sid: 'NotTheCiRoles',
      Effect: 'Deny',
      Action: 'iam:*',
      Resource: '*',
      Condition: { StringLike: { 'iam:ResourceTag/shipgraph:ci-role': '*' } },
    });
  });

  it('grants no wildcard action', () => {
    const statements = policyStatements(yamlData(path));
    expect(statements.length).toBeGreaterThan(10);
    for (const statement of statements) {
      const actions = [statement.Action ?? []].flat();
      expect(actions.length, JSON.stringify(statement)).toBeGreaterThan(0);
      expect(actions).not.toContain('*');
      expect(actions).not.toContain('*:*');
    }
  });
});

describe('ci/pipeline.yml', () => {
  it('gives pull-request code the deploy role only for previews and keeps the state table recoverable', () => {
    const template = templateData();
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

  it("creates the batch project the README's fan-out section starts: its builds deploy, its batch role only runs them", () => {
    const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
    const stackNames = new Set(
      [...readme.matchAll(/--template-file ci\/pipeline\.yml --stack-name (\S+)/g)].map((match) => match[1]),
    );
    expect(stackNames.size).toBe(1);
    const [stackName] = stackNames;
    const started = readme.match(/aws codebuild start-build-batch --project-name (\S+)/)?.[1];
    const resources = objectAt(templateData(), 'Resources');
    const named = (name: Json | undefined): string =>
      stringOf(name).replace('${AWS::StackName}', stackName ?? '');
    const projects = Object.entries(resources).filter(
      ([, resource]) => objectAt(resource).Type === 'AWS::CodeBuild::Project',
    );
    const batch = projects.filter(([, resource]) => named(objectAt(resource, 'Properties').Name) === started);
    expect(batch.map(([id]) => id)).toEqual(['DeployBatchProject']);
    const project = objectAt(resources, 'DeployBatchProject');
    // Created with the webhook projects: the planning build that starts it is the staging or prod build.
    expect(project.Condition).toBe('Webhooks');

    // Each build runs `shipgraph deploy --only <service>` against the DynamoDB state: what the staging
    // and prod projects do, as the role they do it with.
    expect(objectAt(project, 'Properties')).toMatchObject({
      ServiceRole: objectAt(resources, 'StagingProject', 'Properties').ServiceRole as Json,
      Source: { Type: 'GITHUB', Location: 'RepositoryUrl', GitCloneDepth: 0 },
      BuildBatchConfig: {
        ServiceRole: 'DeployBatchRole.Arn',
        Restrictions: { MaximumBuildsAllowed: 'BatchBuildLimit', ComputeTypesAllowed: ['ComputeType'] },
      },
    });
    expect(objectAt(templateData(), 'Parameters', 'BatchBuildLimit')).toMatchObject({
      Type: 'Number',
      Default: 50,
    });

    // The batch's role may start, stop and retry the builds of this project, and nothing else: no other
    // policy names it. Its ARN is written out from the project's name (a !GetAtt would be circular).
    const projectArn =
      'arn:${AWS::Partition}:codebuild:${AWS::Region}:${AWS::AccountId}:project/' +
      stringOf(objectAt(project, 'Properties').Name);
    const batchRole = objectAt(resources, 'DeployBatchRole', 'Properties');
    expect(batchRole.ManagedPolicyArns).toBeUndefined();
    expect(policyStatements(batchRole.Policies ?? null)).toEqual([
      {
        Sid: 'BatchBuilds',
        Effect: 'Allow',
        Action: ['codebuild:StartBuild', 'codebuild:StopBuild', 'codebuild:RetryBuild'],
        Resource: projectArn,
      },
    ]);
    const mentions = Object.entries(resources)
      .filter(
        ([id, resource]) => id !== 'DeployBatchRole' && JSON.stringify(resource).includes('DeployBatchRole'),
      )
      .map(([id]) => id);
    expect(mentions).toEqual(['DeployBatchProject']);

    // The planning build, as DeployRole, may start a batch of this project, and only of this one.
    const starting = Object.entries(resources)
      .filter(([id]) => id !== 'DeployBatchRole' && id !== 'PipelineRole')
      .flatMap(([id, resource]) =>
        policyStatements(resource)
          .filter((statement) => JSON.stringify(statement.Action).includes('codebuild:'))
          .map((statement) => ({ id, roles: objectAt(resource, 'Properties').Roles, statement })),
      );
    expect(starting).toEqual([
      {
        id: 'BuildBasicsPolicy',
        roles: undefined,
        statement: expect.objectContaining({ Sid: 'TestReports' }) as unknown,
      },
      {
        id: 'DeployBatchStartPolicy',
        roles: ['DeployRole'],
        statement: { Effect: 'Allow', Action: 'codebuild:StartBuildBatch', Resource: projectArn },
      },
    ]);
    expect(objectAt(resources, 'DeployBatchStartPolicy').Condition).toBe('Webhooks');
  });

  it('deploys to moto with webhooks (the default): state table, roles, policies, log group, topic, rule; no pipeline', async () => {
    const stackName = `shipgraph-ci-${Date.now().toString(36)}`;
    const tableName = `${stackName}-state`;
    const { outputs, resources } = await createStack(stackName, templatePath, {
      RepositoryUrl: 'https://github.com/acme/platform.git',
      ResourcePrefix: 'acme-',
      StateTableName: tableName,
      SlackWebhookParameterName: '/acme/slack-webhook',
    });

    // moto has no CloudFormation model for AWS::CodeBuild::Project (nor AWS::SNS::TopicPolicy): it
    // skips them, the stack still completes, and outputs that refer to a skipped resource are left out.
    // So the four projects' webhook filters, batch settings, environments and log settings are checked by
    // cfn-lint against CloudFormation's schema only (and by the template tests here); if moto learns
    // CodeBuild, these outputs appear and this fails.
    expect(outputs).toEqual({
      StateTableName: tableName,
      BuildNotificationsTopicArn: expect.stringMatching(
        new RegExp(`^arn:aws:sns:[a-z0-9-]+:\\d{12}:${stackName}-builds$`),
      ) as unknown,
      BuildLogGroupName: `/aws/codebuild/${stackName}`,
      DeployRoleArn: expect.stringMatching(/^arn:aws:iam::\d{12}:role\//) as unknown,
    });
    // No pipeline role, artifact store, artifacts bucket or cross-account policy: moto creates those
    // (see the codepipeline test), so their absence here is the conditions at work. The fan-out batch's
    // role and the deploy role's permission to start it are created; the batch project is skipped.
    expect(resources).toEqual([
      'BuildBasicsPolicy AWS::IAM::ManagedPolicy',
      'BuildLogGroup AWS::Logs::LogGroup',
      'BuildNotificationsTopic AWS::SNS::Topic',
      'BuildStateRule AWS::Events::Rule',
      'DeployBatchRole AWS::IAM::Role',
      'DeployBatchStartPolicy AWS::IAM::Policy',
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
  it('installs, tests, deploys with shipgraph, reports both JUnit files and keeps the HTML report', () => {
    const buildspec = parse(readFileSync(join(repoRoot, 'buildspec.yml'), 'utf8')) as Record<string, Json>;
    expect(buildspec.version).toBe(0.2);
    expect(buildspec.phases).toMatchObject({
      install: { 'runtime-versions': { nodejs: '$NODE_VERSION' }, commands: ['npm ci --no-audit --no-fund'] },
      pre_build: { commands: ['npm run lint --if-present', 'npm test --if-present'] },
      build: { commands: ['npx shipgraph deploy --junit reports/e2e.xml --report reports/shipgraph.html'] },
    });
    expect(buildspec.reports).toMatchObject({
      unit: { 'file-format': 'JUNITXML' },
      e2e: { files: ['reports/e2e.xml'], 'file-format': 'JUNITXML' },
    });
    expect(buildspec.artifacts).toEqual({ files: ['reports/shipgraph.html'] });
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

describe('ci/pipeline.yml with Delivery codepipeline', () => {
  const resources = (): Record<string, Record<string, Json>> =>
    templateData().Resources as Record<string, Record<string, Json>>;
  const stagingToProd = (): Record<string, Json>[] => {
    const stages = objectAt(resources().Pipeline, 'Properties').Stages as Record<string, Json>[];
    return [...(objectAt(stages, 1).Actions as Record<string, Json>[])].sort(
      (a, b) => Number(a.RunOrder) - Number(b.RunOrder),
    );
  };

  it('is an option: webhook projects without it, pipeline resources with it, and it needs a connection', () => {
    const template = templateData();
    expect(template.Parameters).toMatchObject({
      Delivery: { Default: 'codebuild-webhooks', AllowedValues: ['codebuild-webhooks', 'codepipeline'] },
    });
    expect(template.Conditions).toMatchObject({
      Webhooks: ['Delivery', 'codebuild-webhooks'],
      Pipeline: ['Delivery', 'codepipeline'],
      PipelineSource: [{ Condition: 'Pipeline' }, { Condition: 'HasConnection' }],
    });
    const conditionOf = Object.fromEntries(
      Object.entries(resources()).map(([id, resource]) => [id, resource.Condition ?? null]),
    );
    expect(conditionOf).toMatchObject({
      StagingProject: 'Webhooks',
      ProdProject: 'Webhooks',
      PullRequestProject: null,
      Pipeline: 'Pipeline',
      PipelineRole: 'Pipeline',
      PipelineArtifactStore: 'Pipeline',
      PipelineStagingProject: 'Pipeline',
      PipelinePromoteProject: 'Pipeline',
      PipelineConnectionPolicy: 'PipelineSource',
    });
    // CloudFormation refuses the parameters before creating anything (moto ignores Rules).
    expect(template.Rules).toEqual({
      PipelineNeedsConnection: {
        RuleCondition: ['Delivery', 'codepipeline'],
        Assertions: [
          {
            Assert: [['ConnectionArn', '']],
            AssertDescription: expect.stringContaining('ConnectionArn') as unknown,
          },
        ],
      },
    });
  });

  it('runs source, then staging, approval and promotion in one stage, in that order', () => {
    const pipeline = objectAt(resources().Pipeline, 'Properties');
    // Not PARALLEL: the one-stage lock that keeps staging as approved holds in SUPERSEDED mode.
    expect(pipeline).toMatchObject({ PipelineType: 'V2', ExecutionMode: 'SUPERSEDED' });
    const stages = pipeline.Stages as Record<string, Json>[];
    expect(stages.map((stage) => stage.Name)).toEqual(['Source', 'StagingToProd']);
    expect(objectAt(stages, 0, 'Actions', 0)).toMatchObject({
      ActionTypeId: { Category: 'Source', Provider: 'CodeStarSourceConnection' },
      Namespace: 'SourceVariables',
      Configuration: { ConnectionArn: 'ConnectionArn', OutputArtifactFormat: 'CODEBUILD_CLONE_REF' },
    });
    expect(
      stagingToProd().map((action) => [
        action.RunOrder,
        action.Name,
        objectAt(action, 'ActionTypeId').Provider,
        objectAt(action, 'Configuration').ProjectName ?? null,
      ]),
    ).toEqual([
      [1, 'DeployStaging', 'CodeBuild', 'PipelineStagingProject'],
      [2, 'ApproveProd', 'Manual', null],
      [3, 'PromoteProd', 'CodeBuild', 'PipelinePromoteProject'],
    ]);
    expect(objectAt(resources().PipelineStagingProject, 'Properties')).toMatchObject({
      Source: { Type: 'CODEPIPELINE', BuildSpec: 'ci/buildspec-staging.yml' },
      Environment: {
        EnvironmentVariables: expect.arrayContaining([{ Name: 'STAGE', Value: 'staging' }]) as unknown,
      },
    });
    expect(objectAt(resources().PipelinePromoteProject, 'Properties')).toMatchObject({
      Source: { Type: 'CODEPIPELINE', BuildSpec: 'ci/buildspec-promote.yml' },
    });
    // CodeBuild reads these paths from the checkout: the files must be where the projects say.
    for (const id of ['PipelineStagingProject', 'PipelinePromoteProject']) {
      const buildspec = stringOf(objectAt(resources()[id], 'Properties', 'Source').BuildSpec);
      expect(existsSync(join(repoRoot, buildspec)), buildspec).toBe(true);
    }
  });

  it('shows the promotion plan the staging build exports in the approval, within the length limit', () => {
    const [staging, approval] = stagingToProd();
    const namespace = staging?.Namespace;
    expect(namespace).toBe('Staging');
    const configuration = objectAt(approval, 'Configuration');
    const referenced = [...JSON.stringify(configuration).matchAll(/#\{Staging\.([A-Za-z0-9_]+)\}/g)].map(
      (match) => match[1],
    );
    expect(referenced.sort()).toEqual(['PROMOTION_PLAN', 'PROMOTION_PLAN_URL']);
    expect(configuration.CustomData).toContain('#{Staging.PROMOTION_PLAN}');
    expect(configuration.ExternalEntityLink).toBe('#{Staging.PROMOTION_PLAN_URL}');
    // What the approval references is what the staging build exports.
    const buildspec = yamlData(join(repoRoot, 'ci/buildspec-staging.yml'));
    expect(objectAt(buildspec, 'env')['exported-variables']).toEqual([
      'PROMOTION_PLAN',
      'PROMOTION_PLAN_URL',
    ]);
    // CodePipeline caps each configuration value at 1000 characters. Resolved, the message is its text,
    // a 40-character commit id and the plan summary, which the buildspec cuts at 800 characters.
    const text = stringOf(configuration.CustomData).replace(/#\{[^}]+\}/g, '');
    expect(text.length + 40 + 800).toBeLessThanOrEqual(1000);
  });

  it('lets the deploy builds assume exactly the given stage roles, and nothing else assume any', () => {
    const assuming = Object.entries(resources()).flatMap(([id, resource]) =>
      policyStatements(resource)
        .filter((statement) => [statement.Action].flat().includes('sts:AssumeRole'))
        .filter((statement) => statement.Principal === undefined) // trust policies name a principal
        .map((statement) => ({ id, roles: objectAt(resource, 'Properties').Roles, statement })),
    );
    expect(assuming).toEqual([
      {
        id: 'StagingAccountPolicy',
        roles: ['DeployRole'],
        statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'StagingDeployRoleArn' },
      },
      {
        id: 'ProdAccountPolicy',
        roles: ['DeployRole'],
        statement: { Effect: 'Allow', Action: 'sts:AssumeRole', Resource: 'ProdDeployRoleArn' },
      },
    ]);
    expect(resources()).toMatchObject({
      StagingAccountPolicy: { Condition: 'HasStagingDeployRole' },
      ProdAccountPolicy: { Condition: 'HasProdDeployRole' },
    });
  });

  it('keeps the artifact buckets versioned, encrypted, private and reachable over TLS only', () => {
    for (const id of ['PipelineArtifactStore', 'ArtifactsBucket']) {
      expect(resources()[id], id).toMatchObject({
        DeletionPolicy: 'Retain',
        Properties: {
          VersioningConfiguration: { Status: 'Enabled' },
          PublicAccessBlockConfiguration: {
            BlockPublicAcls: true,
            BlockPublicPolicy: true,
            IgnorePublicAcls: true,
            RestrictPublicBuckets: true,
          },
          OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
        },
      });
    }
    for (const [id, bucket] of [
      ['PipelineArtifactStorePolicy', 'PipelineArtifactStore'],
      ['ArtifactsBucketPolicy', 'ArtifactsBucket'],
    ] as const) {
      expect(resources()[id], id).toMatchObject({
        Properties: {
          Bucket: bucket,
          PolicyDocument: {
            Statement: [{ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }],
          },
        },
      });
    }
  });

  it('deploys to moto: pipeline role, artifact store, artifacts bucket, cross-account policies', async () => {
    const stackName = `shipgraph-cp-${Date.now().toString(36)}`;
    const artifactsBucket = `${stackName}-artifacts`;
    const {
      outputs,
      resources: created,
      physicalIds,
    } = await createStack(stackName, templatePath, {
      Delivery: 'codepipeline',
      // A repository whose name contains ".git": only the final .git may be dropped.
      RepositoryUrl: 'https://github.com/acme/acme.github.io.git',
      ConnectionArn:
        'arn:aws:codeconnections:us-east-1:123456789012:connection/0a1b2c3d-4e5f-6789-abcd-ef0123456789',
      ResourcePrefix: 'acme-',
      StateTableName: `${stackName}-state`,
      ArtifactsBucketName: artifactsBucket,
      StagingDeployRoleArn: 'arn:aws:iam::111111111111:role/shipgraph-deploy',
      ProdDeployRoleArn: 'arn:aws:iam::222222222222:role/shipgraph-deploy',
    });
    // Created by moto. Skipped, as moto has no CloudFormation model for them: Pipeline
    // (AWS::CodePipeline::Pipeline), the five AWS::CodeBuild::Project, PipelineArtifactStorePolicy and
    // ArtifactsBucketPolicy (AWS::S3::BucketPolicy), BuildNotificationsTopicPolicy (AWS::SNS::TopicPolicy).
    // Their properties are checked by cfn-lint and by the template tests above. If moto learns one of
    // those types, it shows up here and this fails.
    expect(created).toEqual([
      'ArtifactsAccessPolicy AWS::IAM::Policy',
      'ArtifactsBucket AWS::S3::Bucket',
      'BuildBasicsPolicy AWS::IAM::ManagedPolicy',
      'BuildLogGroup AWS::Logs::LogGroup',
      'BuildNotificationsTopic AWS::SNS::Topic',
      'BuildStateRule AWS::Events::Rule',
      'DeployRole AWS::IAM::Role',
      'GitHubConnectionPolicy AWS::IAM::Policy',
      'PipelineApprovalNotificationsPolicy AWS::IAM::Policy',
      'PipelineArtifactStore AWS::S3::Bucket',
      'PipelineBuildsPolicy AWS::IAM::Policy',
      'PipelineConnectionPolicy AWS::IAM::Policy',
      'PipelineRole AWS::IAM::Role',
      'ProdAccountPolicy AWS::IAM::Policy',
      'PullRequestRole AWS::IAM::Role',
      'StagingAccountPolicy AWS::IAM::Policy',
      'StateTable AWS::DynamoDB::Table',
    ]);
    // PipelineName refers to the skipped pipeline, so moto leaves it out.
    expect(outputs).toMatchObject({
      PipelineRepositoryId: 'acme/acme.github.io',
      ArtifactsBucketName: artifactsBucket,
    });
    expect(Object.keys(outputs)).not.toContain('StagingProjectName');

    // moto applies BucketEncryption (not versioning nor the public access block: those are checked in
    // the template above).
    for (const bucket of [artifactsBucket, physicalIds.get('PipelineArtifactStore') ?? '']) {
      const { ServerSideEncryptionConfiguration } = await s3.send(
        new GetBucketEncryptionCommand({ Bucket: bucket }),
      );
      expect(ServerSideEncryptionConfiguration?.Rules, bucket).toEqual([
        expect.objectContaining({ ApplyServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }),
      ]);
    }
  });

  it('uses the repository the pipeline watches as the output shows it', () => {
    const source = objectAt(resources().Pipeline, 'Properties', 'Stages', 0, 'Actions', 0, 'Configuration');
    expect(source.FullRepositoryId).toEqual(objectAt(templateData().Outputs, 'PipelineRepositoryId').Value);
  });
});

describe('ci/target-account-role.yml', () => {
  it("deploys the statements of ci/pipeline.yml's deploy role, but the state table", () => {
    const deployStatements = (path: string): Json =>
      objectAt(yamlData(path), 'Resources', 'DeployRole', 'Properties', 'Policies', 0, 'PolicyDocument')
        .Statement ?? null;
    const pipelineStatements = (deployStatements(templatePath) as Record<string, Json>[]).filter(
      (statement) => statement.Sid !== 'StateTable',
    );
    expect(deployStatements(targetRolePath)).toEqual(pipelineStatements);
  });

  it('trusts only the CI build role, with the external id when one is given', () => {
    const role = objectAt(yamlData(targetRolePath), 'Resources', 'DeployRole', 'Properties');
    expect(objectAt(role, 'AssumeRolePolicyDocument').Statement).toEqual([
      {
        Effect: 'Allow',
        Principal: { AWS: 'CiBuildRoleArn' },
        Action: 'sts:AssumeRole',
        Condition: ['HasExternalId', { StringEquals: { 'sts:ExternalId': 'ExternalId' } }, 'AWS::NoValue'],
      },
    ]);
  });

  it('deploys to moto: the role and its outputs', async () => {
    const stackName = `shipgraph-target-${Date.now().toString(36)}`;
    const { outputs, resources: created } = await createStack(stackName, targetRolePath, {
      CiBuildRoleArn: 'arn:aws:iam::123456789012:role/acme-ci-DeployRole-ABC',
      ExternalId: 'acme-prod-7f3a',
      ResourcePrefix: 'acme-',
      RoleName: `${stackName}-deploy`,
    });
    expect(created).toEqual(['DeployRole AWS::IAM::Role']);
    expect(outputs).toEqual({
      RoleArn: expect.stringMatching(
        new RegExp(`^arn:aws:iam::\\d{12}:role/${stackName}-deploy$`),
      ) as unknown,
    });
  });
});

describe('ci/buildspec-staging.yml and ci/buildspec-promote.yml', () => {
  it('deploy staging, write the promotion plan, then promote it (the commands shipgraph promote takes)', () => {
    const staging = yamlData(join(repoRoot, 'ci/buildspec-staging.yml'));
    expect(objectAt(staging, 'phases', 'build').commands).toEqual([
      'npx shipgraph deploy --junit reports/e2e.xml',
      'mkdir -p reports',
      'npx shipgraph promote --from staging --to prod --dry-run > reports/promotion-plan.txt',
      'npx shipgraph promote --from staging --to prod --dry-run --json > reports/promotion-plan.json',
      'cat reports/promotion-plan.txt',
      'export PROMOTION_PLAN_URL="$CODEBUILD_BUILD_URL"',
      expect.stringMatching(
        /^export PROMOTION_PLAN="\$\(node -e .* < reports\/promotion-plan\.txt\)"$/s,
      ) as unknown,
    ]);
    expect(objectAt(staging, 'artifacts').files).toEqual([
      'reports/promotion-plan.txt',
      'reports/promotion-plan.json',
    ]);
    const promote = yamlData(join(repoRoot, 'ci/buildspec-promote.yml'));
    expect(objectAt(promote, 'phases', 'build').commands).toEqual([
      'mkdir -p reports',
      'npx shipgraph promote --from staging --to prod --report reports/promotion.html',
    ]);
    for (const buildspec of [staging, promote]) {
      expect(objectAt(buildspec, 'phases', 'install').commands).toEqual(['npm ci --no-audit --no-fund']);
    }
  });

  it('cuts the plan summary for the approval at 800 characters, never inside a character', async () => {
    const command = stringOf(
      (
        objectAt(yamlData(join(repoRoot, 'ci/buildspec-staging.yml')), 'phases', 'build').commands as Json[]
      ).at(-1),
    );
    const run = async (plan: string): Promise<string> => {
      const dir = await mkdtemp(join(tmpdir(), 'shipgraph-plan-'));
      try {
        await mkdir(join(dir, 'reports'));
        await writeFile(join(dir, 'reports/promotion-plan.txt'), plan);
        // CodeBuild runs buildspec commands with sh.
        const { stdout } = await execa('sh', ['-c', `${command}\nprintf '%s' "$PROMOTION_PLAN"`], {
          cwd: dir,
        });
        return stdout;
      } finally {
        await rm(dir, { recursive: true, force: true });
      }
    };
    expect(await run('promote staging → prod\n  @acme/api  1a2b3c4\n')).toBe(
      'promote staging → prod |   @acme/api  1a2b3c4',
    );
    const long = await run(Array.from({ length: 60 }, (_, i) => `  @acme/service-${i}  → prod`).join('\n'));
    // Code points, as the buildspec counts them.
    expect(Array.from(long).length).toBe(800);
    expect(long.endsWith('…')).toBe(true);
  });
});
