import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePrometheusText } from '../helpers/prometheus.js';
import {
  type SpawnedPipeline,
  spawnPipeline,
} from '../helpers/spawned-pipeline.js';

const files = ['file_1', 'file_2', 'file_3', 'file_4'];

describe('Command: npm start', () => {
  let pipeline: SpawnedPipeline | undefined;

  beforeAll(async () => {
    pipeline = await spawnPipeline();
  }, 90_000);

  afterAll(async () => {
    await pipeline?.stop();
  }, 30_000);

  it('ingests, processes, deletes and counts four files', async () => {
    const { url, output } = started(pipeline);

    const response = await fetch(`${url}/data/input`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ files }),
    });
    const created = (await response.json()) as { ids: string[] };

    expect(response.status).toBe(201);
    expect(created.ids).toHaveLength(4);
    expect(new Set(created.ids).size).toBe(4);
    const ofThisRequest = (entry: Record<string, unknown>) =>
      Array.isArray(entry.ids) &&
      entry.ids.every((id) => created.ids.includes(String(id)));
    await output.waitForMessage('Processed 3 files', {
      filter: ofThisRequest,
    });
    await output.waitForMessage('Processed 1 files', {
      filter: ofThisRequest,
    });
    const deleted = await output.waitForMessage('Deleted 4 files');
    await output.waitForMessage('No files to delete', {
      fromIndex: deleted.index + 1,
    });

    const metrics = parsePrometheusText(
      await (await fetch(`${url}/metrics`)).text(),
    );
    for (const name of [
      'raw_data_count',
      'processed_data_count',
      'deleted_data_count',
    ]) {
      expect(metrics.values.get(name), name).toBe(4);
      expect(metrics.types.get(name), name).toBe('counter');
      expect(metrics.helpNames.has(name), name).toBe(true);
    }

    const lookup = await fetch(`${url}/data/files/${created.ids[0]}`);

    expect(lookup.status).toBe(404);
  }, 60_000);

  it('answers an unknown route with 404 Not Found', async () => {
    const { url } = started(pipeline);

    const response = await fetch(`${url}/data/unknown`);

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ message: 'Not Found' });
  });

  it('stops cleanly on SIGTERM', async () => {
    const running = started(pipeline);

    await running.stop();

    expect(
      running.output.findMessage('local pipeline stopped'),
      running.output.tail(10),
    ).toBeDefined();
    expect(running.errors.lines.join('\n')).not.toMatch(/Stop (failed|timed)/);
  }, 30_000);
});

function started(pipeline: SpawnedPipeline | undefined): SpawnedPipeline {
  if (!pipeline) throw new Error('npm start did not start');

  return pipeline;
}
