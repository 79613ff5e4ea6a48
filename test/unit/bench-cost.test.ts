import { describe, expect, it } from 'vitest';
import {
  costPerMillionFiles,
  type PriceTable,
  type UsagePerFile,
} from '../../bench/cost/cost.js';
import { requestRates, usagePerFile } from '../../bench/cost/usage.js';
import { Recorder } from '../../bench/measure/recorder.js';

const prices: PriceTable = {
  region: 'us-east-1',
  recordedOn: '2026-12-04',
  prices: {
    dynamoDbWriteRequestUnit: { usdPerMillion: 0.625 },
    dynamoDbReadRequestUnit: { usdPerMillion: 0.125 },
    sqsRequest: { usdPerMillion: 0.4 },
    lambdaRequest: { usdPerMillion: 0.2 },
    lambdaArmGbSecond: { usd: 0.0000133334 },
    cloudWatchLogsIngestionGb: { usd: 0.5 },
    httpApiRequest: { usdPerMillion: 1 },
  },
};

const noUsage: UsagePerFile = {
  dynamoDbWriteUnits: 0,
  dynamoDbReadUnits: 0,
  sqsRequests: 0,
  lambdaInvocations: 0,
  lambdaGbSeconds: 0,
  logBytes: 0,
  httpApiRequests: 0,
};

const noCapacity = {
  tableReadUnits: 0,
  tableWriteUnits: 0,
  indexReadUnits: 0,
  indexWriteUnits: 0,
};

describe('Function: costPerMillionFiles', () => {
  it.each([
    ['write units', { dynamoDbWriteUnits: 10 }, 6.25],
    ['read units', { dynamoDbReadUnits: 2 }, 0.25],
    ['SQS requests', { sqsRequests: 0.1 }, 0.04],
    ['invocations', { lambdaInvocations: 0.05 }, 0.01],
    ['GB-seconds', { lambdaGbSeconds: 0.001 }, 0.0133334],
    ['log bytes', { logBytes: 1024 ** 3 / 1_000_000 }, 0.5],
    ['API requests', { httpApiRequests: 0.002 }, 0.002],
  ])('prices %s', (_name, usage, expected) => {
    const breakdown = costPerMillionFiles({ ...noUsage, ...usage }, prices);

    expect(breakdown.totalUsd).toBeCloseTo(expected, 9);
  });
});

describe('Class: Recorder', () => {
  it('keeps idle runs apart from work', async () => {
    const recorder = new Recorder();

    await recorder.runInvocation(
      'dispatcher',
      async () => {
        recorder.addRequest('DynamoDB', 'Query');
        return { sent: 0 };
      },
      (result) => result.sent === 0,
    );
    await recorder.runInvocation(
      'processor',
      async () => {
        recorder.addRequest('DynamoDB', 'UpdateItem');
        recorder.addCapacity(
          'DynamoDB',
          'UpdateItem',
          { ...noCapacity, tableWriteUnits: 1, indexWriteUnits: 2 },
          1,
        );
      },
      () => false,
    );
    const snapshot = recorder.snapshot();

    expect(snapshot.idle.operations).toEqual([
      expect.objectContaining({ caller: 'dispatcher', requests: 1 }),
    ]);
    expect(snapshot.work.operations).toEqual([
      expect.objectContaining({
        caller: 'processor',
        operation: 'UpdateItem',
        requests: 1,
        sdkCalls: 1,
        indexWriteUnits: 2,
      }),
    ]);
    expect(snapshot.invocations.dispatcher?.idleInvocations).toBe(1);
  });

  it('counts requests outside an invocation as the event source', () => {
    const recorder = new Recorder();

    recorder.addRequest('SQS', 'ReceiveMessage');

    expect(recorder.snapshot().work.operations).toEqual([
      expect.objectContaining({ caller: 'eventSource', requests: 1 }),
    ]);
  });
});

describe('Function: usagePerFile', () => {
  it('counts one receive per processor invocation', async () => {
    const recorder = new Recorder();
    for (let poll = 0; poll < 5; poll++) {
      recorder.addRequest('SQS', 'ReceiveMessage');
    }
    await recorder.runInvocation(
      'processor',
      async () => {},
      () => false,
    );

    const usage = usagePerFile(recorder.snapshot(), 10);
    const rates = requestRates(recorder.snapshot(), 10);

    expect(usage.sqsRequests).toBe(0.1);
    expect(usage.lambdaInvocations).toBe(0.1);
    expect(rates).toEqual([
      { service: 'SQS', operation: 'ReceiveMessage', per1000Files: 100 },
    ]);
  });
});
