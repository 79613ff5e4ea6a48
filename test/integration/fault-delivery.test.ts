import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { postFiles } from '../helpers/drain.js';
import {
  expectDrained,
  type FaultPipeline,
  fileNames,
  firstReceive,
  startFaultPipeline,
} from '../helpers/fault-pipeline.js';

describe('Faults: duplicate and late deliveries', () => {
  let running: FaultPipeline;
  const accepted: string[] = [];

  beforeAll(async () => {
    running = await startFaultPipeline({ seed: 22 });
  });

  afterAll(async () => {
    await running?.stop();
  });

  it('counts a duplicate invocation once', async () => {
    const { pipeline, faults, probe } = running;
    faults.add({ kind: 'duplicateInvoke', times: 1 });

    accepted.push(...(await postFiles(pipeline.url, fileNames('twice', 15))));
    const state = await probe.waitForDrain(accepted.length, 20_000);

    faults.clear();
    expect(faults.counts().duplicateInvoke).toBe(1);
    expect(running.processedLog.skipped).toBeGreaterThan(0);
    expectDrained(running, accepted, state);
  });

  it('counts a duplicate message once', async () => {
    const { pipeline, faults, probe } = running;
    const skippedBefore = running.processedLog.skipped;
    faults.add({ kind: 'duplicateMessage', times: 1 });

    accepted.push(...(await postFiles(pipeline.url, fileNames('dup', 15))));
    const state = await probe.waitForDrain(accepted.length, 20_000);

    faults.clear();
    expect(faults.counts().duplicateMessage).toBe(1);
    expect(running.processedLog.skipped).toBeGreaterThan(skippedBefore);
    expectDrained(running, accepted, state);
  });

  it('redelivers a batch returned too late', async () => {
    const { pipeline, faults, probe } = running;
    const skippedBefore = running.processedLog.skipped;
    faults.add({ kind: 'answerTooLate', when: firstReceive, times: 1 });

    accepted.push(...(await postFiles(pipeline.url, fileNames('late', 9))));
    await running.output.waitForMessage('batch left on the queue', {
      filter: (entry) => entry.invocation === 'timedOut',
    });
    const state = await probe.waitForDrain(accepted.length, 30_000);

    faults.clear();
    expect(faults.counts().answerTooLate).toBe(1);
    expect(running.processedLog.skipped).toBeGreaterThan(skippedBefore);
    expectDrained(running, accepted, state);
  }, 40_000);
});
