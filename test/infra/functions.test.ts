import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  type FunctionRole,
  functionEnvironment,
} from '../../lib/environment.js';
import { defaultSettings } from '../../lib/settings.js';
import { findResource, synthesizePipeline } from './synthesize.js';

const functionIds: Record<FunctionRole, string> = {
  ingest: 'IngestApiIngestFunction',
  dispatcher: 'SchedulesDispatcherFunction',
  processor: 'ProcessorFunction',
  deleter: 'SchedulesDeleterFunction',
};
const roles = Object.keys(functionIds) as FunctionRole[];

describe('Construct: PipelineFunction', () => {
  let template: Template;

  beforeAll(() => {
    template = synthesizePipeline().template;
  });

  it('creates four Node.js 24 functions on arm64', () => {
    template.resourceCountIs('AWS::Lambda::Function', 4);
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      { Runtime: 'nodejs24.x', Architectures: ['arm64'] },
      4,
    );
  });

  it('enables active tracing and source maps', () => {
    template.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        TracingConfig: { Mode: 'Active' },
        Environment: {
          Variables: Match.objectLike({
            NODE_OPTIONS: '--enable-source-maps',
          }),
        },
      },
      4,
    );
  });

  it.each(roles)('gives the %s function its environment', (role) => {
    const fn = findResource(
      template,
      'AWS::Lambda::Function',
      functionIds[role],
    );
    const expected = functionEnvironment(role, defaultSettings, {
      tableName: 'table',
      workQueueUrl: 'queue',
    });
    const variables = (
      fn.properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;

    expect(Object.keys(variables).sort()).toEqual(
      [...Object.keys(expected), 'NODE_OPTIONS'].sort(),
    );
    expect(variables).toMatchObject({
      POWERTOOLS_SERVICE_NAME: 'datafile-pipeline',
      POWERTOOLS_METRICS_NAMESPACE: 'DatafilePipeline',
      POWERTOOLS_LOG_LEVEL: 'INFO',
      STATUS_INDEX_NAME: 'StatusIndex',
      TABLE_NAME: { Ref: expect.stringMatching(/^StorageTable/) },
    });
  });

  it('points the dispatcher at the work queue', () => {
    const fn = findResource(
      template,
      'AWS::Lambda::Function',
      functionIds.dispatcher,
    );

    expect(fn.properties.Environment).toMatchObject({
      Variables: {
        WORK_QUEUE_URL: { Ref: expect.stringMatching(/^QueueingWorkQueue/) },
        BATCH_SIZE: '3',
      },
    });
  });

  it('writes JSON logs to its own log group kept 30 days', () => {
    template.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { RetentionInDays: 30 },
      5,
    );
    for (const role of roles) {
      const fn = findResource(
        template,
        'AWS::Lambda::Function',
        functionIds[role],
      );

      expect(fn.properties.LoggingConfig).toEqual({
        LogFormat: 'JSON',
        ApplicationLogLevel: 'INFO',
        SystemLogLevel: 'INFO',
        LogGroup: { Ref: expect.stringContaining('LogGroup') },
      });
    }
  });

  it.each([
    ['ingest', 29],
    ['processor', 30],
    ['dispatcher', 60],
    ['deleter', 60],
  ] as const)('sets the %s timeout to %i seconds', (role, seconds) => {
    const fn = findResource(
      template,
      'AWS::Lambda::Function',
      functionIds[role],
    );

    expect(fn.properties.Timeout).toBe(seconds);
  });

  it('follows logLevel and logRetentionDays', () => {
    const { template: changed } = synthesizePipeline({
      logLevel: 'DEBUG',
      logRetentionDays: 7,
    });

    changed.resourcePropertiesCountIs(
      'AWS::Lambda::Function',
      {
        LoggingConfig: Match.objectLike({ ApplicationLogLevel: 'DEBUG' }),
        Environment: {
          Variables: Match.objectLike({ POWERTOOLS_LOG_LEVEL: 'DEBUG' }),
        },
      },
      4,
    );
    changed.resourcePropertiesCountIs(
      'AWS::Logs::LogGroup',
      { RetentionInDays: 7 },
      5,
    );
  });
});
