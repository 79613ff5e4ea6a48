import { execFile } from 'node:child_process';
import { mkdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { type BuildOptions, build } from 'esbuild';
import {
  type FunctionRole,
  functionEnvironment,
} from '../../lib/environment.js';
import { defaultSettings } from '../../lib/settings.js';

const run = promisify(execFile);
const projectRoot = fileURLToPath(new URL('../..', import.meta.url));

/** The four functions, in pipeline order. */
export const functionRoles: readonly FunctionRole[] = [
  'ingest',
  'dispatcher',
  'processor',
  'deleter',
];

/** Bundle and start-up figures of one function. */
export interface FunctionBundle {
  readonly role: FunctionRole;
  /** Entry file of the bundled handler, relative to the project. */
  readonly entry: string;
  readonly bundleBytes: number;
  readonly sourceMapBytes: number;
  /** Median time to import the bundle, from the first line of the probe. */
  readonly initMedianMs: number;
  /** Median time from process start until the import finished. */
  readonly processReadyMedianMs: number;
  readonly runs: number;
}

/**
 * The bundling options of `NodejsFunction` in `lib/pipeline-function.ts`:
 * ES module, minified, every dependency bundled, external source map
 * without sources, and a banner that defines `require`.
 */
const bundlingOptions: BuildOptions = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node24',
  mainFields: ['module', 'main'],
  minify: true,
  sourcemap: 'external',
  sourcesContent: false,
  banner: {
    js:
      "import { createRequire } from 'node:module';" +
      'const require = createRequire(import.meta.url);',
  },
  tsconfig: join(projectRoot, 'tsconfig.json'),
  logLevel: 'warning',
};

/**
 * Bundles each function into `outDirectory/<variant>/<role>/index.mjs` and
 * measures the size of the bundle and its source map.
 */
export async function bundleFunction(
  role: FunctionRole,
  entry: string,
  outDirectory: string,
): Promise<{ file: string; bundleBytes: number; sourceMapBytes: number }> {
  const directory = join(outDirectory, role);
  await mkdir(directory, { recursive: true });
  const file = join(directory, 'index.mjs');
  await build({
    ...bundlingOptions,
    entryPoints: [join(projectRoot, entry)],
    outfile: file,
  });
  const [bundle, map] = await Promise.all([stat(file), stat(`${file}.map`)]);

  return { file, bundleBytes: bundle.size, sourceMapBytes: map.size };
}

/**
 * Imports a bundle in a fresh `node` process, as Lambda does on a cold
 * start, `runs` times one after the other, and returns the median times.
 * The environment holds only the function's variables, `PATH`, dummy
 * credentials and endpoints on a closed loopback port: module load
 * creates the SDK clients but sends nothing.
 */
export async function measureColdStart(
  role: FunctionRole,
  file: string,
  runs: number,
): Promise<{ initMedianMs: number; processReadyMedianMs: number }> {
  const environment = {
    PATH: process.env.PATH ?? '',
    ...functionEnvironment(role, defaultSettings, {
      tableName: 'datafile-pipeline-bench-files',
      workQueueUrl: 'http://127.0.0.1:9/123456789012/datafile-pipeline-work',
    }),
    NODE_OPTIONS: '--enable-source-maps',
    AWS_REGION: 'us-east-1',
    AWS_ACCESS_KEY_ID: 'bench',
    AWS_SECRET_ACCESS_KEY: 'bench',
    AWS_ENDPOINT_URL_DYNAMODB: 'http://127.0.0.1:9',
    AWS_ENDPOINT_URL_SQS: 'http://127.0.0.1:9',
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    BENCH_BUNDLE_URL: pathToFileURL(file).href,
  };
  const probe =
    'const started = performance.now();' +
    'await import(process.env.BENCH_BUNDLE_URL);' +
    'const ready = performance.now();' +
    'process.stdout.write(JSON.stringify({ initMs: ready - started, readyMs: ready }));';
  const init: number[] = [];
  const ready: number[] = [];
  for (let index = 0; index < runs; index++) {
    const { stdout } = await run(
      process.execPath,
      ['--input-type=module', '--eval', probe],
      { env: environment },
    );
    const times = JSON.parse(stdout) as { initMs: number; readyMs: number };
    init.push(times.initMs);
    ready.push(times.readyMs);
  }

  return { initMedianMs: median(init), processReadyMedianMs: median(ready) };
}

/** Median of a non-empty list. */
export function median(values: readonly number[]): number {
  const sorted = [...values].sort((left, right) => left - right);
  const middle = Math.floor(sorted.length / 2);
  const upper = sorted[middle] ?? Number.NaN;

  return sorted.length % 2 === 1
    ? upper
    : ((sorted[middle - 1] ?? upper) + upper) / 2;
}

/**
 * Bundles the four functions of a variant and measures each one.
 *
 * @param entries - entry file of each function, relative to the project.
 */
export async function measureBundles(
  entries: Readonly<Record<FunctionRole, string>>,
  outDirectory: string,
  runs: number,
): Promise<FunctionBundle[]> {
  const results: FunctionBundle[] = [];
  for (const role of functionRoles) {
    const entry = entries[role];
    const bundle = await bundleFunction(role, entry, outDirectory);
    const times = await measureColdStart(role, bundle.file, runs);
    results.push({
      role,
      entry,
      bundleBytes: bundle.bundleBytes,
      sourceMapBytes: bundle.sourceMapBytes,
      ...times,
      runs,
    });
  }

  return results;
}
