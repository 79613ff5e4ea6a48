import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { type BrowserContext, chromium, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MetricName } from '../../lambdas/shared/metric-names.js';
import type { MetricsSnapshot } from '../../local/dashboard-routes.js';
import {
  type LocalPipeline,
  startLocalPipeline,
} from '../../local/pipeline.js';
import { sendFiles } from '../../local/send-files.js';
import { waitFor } from '../helpers/wait-for.js';

const chromiumPath = '/usr/bin/chromium';
const hasChromium = existsSync(chromiumPath);
/**
 * Without the background-networking, component-update and sync flags,
 * Chromium contacts Google's servers on start.
 */
const chromiumArgs = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const screenshotPath = fileURLToPath(
  new URL('../../test-output/dashboard.png', import.meta.url),
);
/** Files posted in waves, so the charts show steps. */
const waves = [12, 18, 30];
const totalFiles = waves.reduce((sum, count) => sum + count, 0);

if (!hasChromium) {
  console.warn(
    `Skipping the dashboard browser test: no Chromium at ${chromiumPath}. ` +
      'Install it with apt-get install -y chromium.',
  );
}

/** Reads the value that the page's summary table shows for a metric. */
async function shownValue(page: Page, name: MetricName): Promise<string> {
  const cell = page.locator(`td[data-metric="${name}"]`);

  return (await cell.getAttribute('data-value')) ?? '';
}

async function samplesOf(page: Page, chartId: string): Promise<number> {
  const section = page.locator(`section[data-chart="${chartId}"]`);

  return Number(await section.getAttribute('data-samples'));
}

describe.skipIf(!hasChromium)('Page: local dashboard', () => {
  let pipeline: LocalPipeline;
  let context: BrowserContext;
  let page: Page;
  let userDataDir: string;
  const outsideRequests: string[] = [];
  const pageErrors: string[] = [];

  beforeAll(async () => {
    pipeline = await startLocalPipeline({
      port: 0,
      printOutput: false,
      dispatchIntervalSeconds: 1,
      deleteIntervalSeconds: 1,
    });
    userDataDir = await mkdtemp(join(tmpdir(), 'dashboard-chromium-'));
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
      viewport: { width: 1400, height: 900 },
    });
    await context.route('**/*', (route) => {
      const url = new URL(route.request().url());
      if (url.hostname === '127.0.0.1') return route.continue();
      outsideRequests.push(url.href);
      return route.abort();
    });
    page = context.pages()[0] ?? (await context.newPage());
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      const isFavicon = message.location().url.endsWith('/favicon.ico');
      if (message.type() === 'error' && !isFavicon) {
        pageErrors.push(message.text());
      }
    });
  });

  afterAll(async () => {
    await context?.close();
    await pipeline?.stop();
    if (userDataDir) await rm(userDataDir, { recursive: true, force: true });
  });

  it('shows every metric of /metrics.json', async () => {
    const response = await fetch(`${pipeline.url}/metrics.json`);
    const snapshot = (await response.json()) as MetricsSnapshot;

    await page.goto(`${pipeline.url}/dashboard`);
    await page.locator('body[data-state="live"]').waitFor();

    expect(response.headers.get('content-type')).toBe('application/json');
    expect(snapshot.metrics.map((metric) => metric.name)).toEqual(
      Object.values(MetricName),
    );
    for (const name of Object.values(MetricName)) {
      expect(await page.locator(`td[data-metric="${name}"]`).count()).toBe(1);
    }
    expect(await shownValue(page, MetricName.RawDataCount)).toBe('0');
    expect(await page.locator('section[data-chart]').count()).toBe(6);
  });

  it('plots the counters while files flow', { timeout: 90_000 }, async () => {
    const samplesBefore = await samplesOf(page, 'files');
    const canvasBefore = await page
      .locator('section[data-chart="files"] canvas')
      .screenshot();

    for (const [wave, count] of waves.entries()) {
      const names = Array.from({ length: count }, (_, i) => `w${wave}_${i}`);
      await sendFiles(names, {
        url: pipeline.url,
        maxFilesPerRequest: pipeline.settings.maxFilesPerRequest,
        maxBodyBytes: pipeline.settings.maxBodyBytes,
        onAccepted: () => {},
      });
      await sleep(2_000);
    }
    await waitFor(
      async () =>
        (await shownValue(page, MetricName.DeletedDataCount)) ===
        String(totalFiles)
          ? true
          : undefined,
      {
        description: `the page to show ${totalFiles} deleted files`,
        timeoutMs: 60_000,
        intervalMs: 250,
      },
    );
    await sleep(2_000);
    await mkdir(join(screenshotPath, '..'), { recursive: true });
    await page.screenshot({ path: screenshotPath, fullPage: true });

    const total = String(totalFiles);
    expect(await shownValue(page, MetricName.RawDataCount)).toBe(total);
    expect(await shownValue(page, MetricName.ProcessedDataCount)).toBe(total);
    expect(await shownValue(page, MetricName.FilesClaimed)).toBe(total);
    expect(
      Number(await shownValue(page, MetricName.LockAcquired)),
    ).toBeGreaterThan(0);
    expect(await shownValue(page, MetricName.OldestRawAgeSeconds)).toMatch(
      /^\d+(\.\d+)?$/,
    );
    expect(
      await shownValue(page, MetricName.OldestProcessedAgeSeconds),
    ).toMatch(/^\d+(\.\d+)?$/);
    expect(await shownValue(page, MetricName.FilesStuck)).toBe('0');
    expect(await samplesOf(page, 'files')).toBeGreaterThan(samplesBefore + 5);
    const canvasAfter = await page
      .locator('section[data-chart="files"] canvas')
      .screenshot();
    expect(canvasAfter.equals(canvasBefore)).toBe(false);
  });

  it('loads nothing from outside and logs no errors', () => {
    expect(outsideRequests).toEqual([]);
    expect(pageErrors).toEqual([]);
  });

  it('reports a stopped pipeline', async () => {
    await pipeline.stop();

    await page.locator('body[data-state="error"]').waitFor();

    expect(await page.locator('#status').textContent()).toContain(
      'Cannot read /metrics.json',
    );
  });
});
