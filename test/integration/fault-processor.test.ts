import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postFiles } from '../helpers/drain.js';
import {
  expectDrained,
  type FaultPipeline,
  fileNames,
  firstReceive,
  startFaultPipeline,
} from '../helpers/fault-pipeline.js';

describe('Faults: processor failures', () => {
  let running: FaultPipeline;
  const accepted: string[] = [];

  beforeAll(async () => {
    running = await startFaultPipeline({ seed: 11 });
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('counts handler calls on the shared clients', async () => {
    const { pipeline, faults, probe } = running;

    accepted.push(...(await postFiles(pipeline.url, fileNames('shared', 3))));

    expect(faults.callCount('ingest', 'BatchWriteItem')).toBeGreaterThan(0);
    expectDrained(running, accepted, await probe.waitForDrain(3, 20_000));
  });

  it('retries the failed messages of a partial batch', async () => {
    const { pipeline, faults, probe } = running;
    faults.add({ kind: 'failMessages', when: firstReceive, times: 3 });

    accepted.push(...(await postFiles(pipeline.url, fileNames('part', 30))));
    const state = await probe.waitForDrain(accepted.length, 30_000);

    faults.clear();
    expect(faults.counts().failMessages).toBe(3);
    expect(probe.metrics().MessagesFailed).toBe(3);
    expectDrained(running, accepted, state);
  }, 40_000);

  it('retries every message of a failed batch', async () => {
    const { pipeline, faults, probe } = running;
    faults.add({ kind: 'failBatch', when: firstReceive, times: 1 });

    accepted.push(...(await postFiles(pipeline.url, fileNames('batch', 12))));
    const state = await probe.waitForDrain(accepted.length, 30_000);

    faults.clear();
    expect(faults.counts().failBatch).toBe(1);
    expectDrained(running, accepted, state);
  }, 40_000);

  it('skips files a crashed invocation already processed', async () => {
    const { pipeline, faults, probe } = running;
    faults.add({ kind: 'crashBeforeAnswer', when: firstReceive, times: 1 });

    accepted.push(...(await postFiles(pipeline.url, fileNames('crash', 30))));
    const state = await probe.waitForDrain(accepted.length, 30_000);

    faults.clear();
    expect(faults.counts().crashBeforeAnswer).toBe(1);
    expect(
      running.processedLog.skipped,
      'files of redelivered messages found processed',
    ).toBeGreaterThan(0);
    expectDrained(running, accepted, state);
  }, 40_000);
});
