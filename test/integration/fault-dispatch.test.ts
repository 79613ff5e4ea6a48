import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postFiles } from '../helpers/drain.js';
import {
  expectDrained,
  type FaultPipeline,
  fileNames,
  startFaultPipeline,
} from '../helpers/fault-pipeline.js';

describe('Faults: dispatcher sends', () => {
  let running: FaultPipeline;
  const accepted: string[] = [];

  beforeAll(async () => {
    running = await startFaultPipeline({ seed: 44 });
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('returns entries that SendMessageBatch failed to raw', async () => {
    const { pipeline, faults, probe } = running;
    faults.add({ kind: 'sendEntriesFailed', times: 2 });

    accepted.push(...(await postFiles(pipeline.url, fileNames('send', 45))));
    const state = await probe.waitForDrain(accepted.length, 20_000);

    faults.clear();
    expect(faults.counts().sendEntriesFailed).toBe(2);
    expect(probe.metrics().FilesReturnedToRaw).toBeGreaterThan(0);
    expectDrained(running, accepted, state);
  });

  it('dispatches claimed files again after a crash', async () => {
    const { pipeline, faults, probe, output } = running;
    const redispatchedBefore = probe.metrics().FilesRedispatched ?? 0;
    faults.add({ kind: 'dispatcherCrash', times: 1 });

    accepted.push(...(await postFiles(pipeline.url, fileNames('crash', 12))));
    const crashed = await output.waitForMessage(
      'dispatch calls failed; their files wait for a later run',
    );
    const state = await probe.waitForDrain(accepted.length, 30_000);

    faults.clear();
    const redispatched =
      (probe.metrics().FilesRedispatched ?? 0) - redispatchedBefore;
    expect(faults.counts().dispatcherCrash).toBe(1);
    expect(crashed.entry.failedWrites, 'claims left queued').toBeGreaterThan(0);
    expect(redispatched).toBe(crashed.entry.failedWrites);
    expectDrained(running, accepted, state);
  }, 40_000);
});
