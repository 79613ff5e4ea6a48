import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FunctionRole } from '../../lib/environment.js';
import { postFiles } from '../helpers/drain.js';
import {
  expectDrained,
  type FaultPipeline,
  fileNames,
  startFaultPipeline,
} from '../helpers/fault-pipeline.js';
import type { SdkCall } from '../helpers/faults.js';

const callOf =
  (role: FunctionRole, operation: string) =>
  (call: SdkCall): boolean =>
    call.role === role && call.operation === operation;

describe('Faults: DynamoDB throttling and partial writes', () => {
  let running: FaultPipeline;
  const accepted: string[] = [];

  beforeAll(async () => {
    running = await startFaultPipeline({ seed: 33 });
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('drains when the SDK retries throttled calls', async () => {
    const { pipeline, faults, probe } = running;
    faults.add({ kind: 'throttle', probability: 0.3, times: 20 });

    accepted.push(...(await postFiles(pipeline.url, fileNames('thr', 30))));
    const state = await probe.waitForDrain(accepted.length, 40_000);

    faults.clear();
    expect(faults.counts().throttle).toBeGreaterThan(0);
    expectDrained(running, accepted, state);
  }, 50_000);

  it('drains when calls stay throttled after every retry', async () => {
    const { pipeline, faults, probe } = running;
    const calls = [
      callOf('ingest', 'BatchWriteItem'),
      callOf('dispatcher', 'UpdateItem'),
      callOf('processor', 'UpdateItem'),
      callOf('deleter', 'BatchWriteItem'),
    ];
    for (const when of calls) {
      faults.add({ kind: 'throttleBeyondRetries', when, times: 1 });
    }

    accepted.push(...(await postFiles(pipeline.url, fileNames('beyond', 30))));
    const state = await probe.waitForDrain(accepted.length, 40_000);

    faults.clear();
    expect(faults.counts().throttleBeyondRetries).toBe(calls.length);
    expectDrained(running, accepted, state);
  }, 50_000);

  it('retries the UnprocessedItems of BatchWriteItem', async () => {
    const { pipeline, faults, probe } = running;
    for (const role of ['ingest', 'deleter'] as const) {
      faults.add({
        kind: 'unprocessedItems',
        when: callOf(role, 'BatchWriteItem'),
        times: 4,
      });
    }

    accepted.push(...(await postFiles(pipeline.url, fileNames('unproc', 60))));
    const state = await probe.waitForDrain(accepted.length, 40_000);

    faults.clear();
    expect(faults.counts().unprocessedItems).toBe(8);
    expectDrained(running, accepted, state);
  }, 50_000);

  it('counts a write once when its response is lost', async () => {
    const { pipeline, faults, probe } = running;
    for (const role of ['dispatcher', 'processor'] as const) {
      faults.add({
        kind: 'writeResponseLost',
        when: callOf(role, 'UpdateItem'),
        times: 3,
      });
    }

    accepted.push(...(await postFiles(pipeline.url, fileNames('lost', 30))));
    const state = await probe.waitForDrain(accepted.length, 40_000);

    faults.clear();
    expect(faults.counts().writeResponseLost).toBe(6);
    expectDrained(running, accepted, state);
  }, 50_000);
});
