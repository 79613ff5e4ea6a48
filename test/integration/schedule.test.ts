import { setTimeout as sleep } from 'node:timers/promises';
import { describe, expect, it } from 'vitest';
import { startSchedule } from '../../local/schedule.js';
import { waitFor } from '../helpers/wait-for.js';

describe('Function: startSchedule', () => {
  it('never overlaps a run that outlasts the interval', async () => {
    let active = 0;
    let maxActive = 0;
    let runs = 0;
    const schedule = startSchedule({
      intervalMs: 10,
      run: async () => {
        active++;
        maxActive = Math.max(maxActive, active);
        await sleep(30);
        active--;
        runs++;
      },
    });

    await waitFor(() => (runs >= 4 ? true : undefined), {
      description: 'four runs',
    });
    await schedule.stop();

    expect(maxActive).toBe(1);
  });

  it('waits for the run in progress when stopped', async () => {
    let finished = false;
    let started = false;
    const schedule = startSchedule({
      intervalMs: 1,
      run: async () => {
        started = true;
        await sleep(50);
        finished = true;
      },
    });
    await waitFor(() => (started ? true : undefined), {
      description: 'the first run',
    });

    await schedule.stop();

    expect(finished).toBe(true);
  });
});
