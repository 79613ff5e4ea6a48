import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { findResource, synthesizePipeline } from './synthesize.js';

const functionIds = [
  'IngestApiIngestFunction',
  'SchedulesDispatcherFunction',
  'ProcessorFunction',
  'SchedulesDeleterFunction',
];

type FunctionProperties = {
  Code: { S3Key: string };
  Environment: { Variables: Record<string, unknown> };
};

/** Replaces CloudFormation references with placeholder strings. */
function toPlainEnvironment(
  variables: Record<string, unknown>,
): Record<string, string> {
  return Object.fromEntries(
    Object.entries(variables).map(([name, value]) => [
      name,
      typeof value === 'string' ? value : `placeholder-${name.toLowerCase()}`,
    ]),
  );
}

describe('Bundling with the local esbuild', () => {
  let template: Template;
  let assemblyDirectory: string;

  beforeAll(() => {
    const pipeline = synthesizePipeline({}, { bundle: true });
    template = pipeline.template;
    assemblyDirectory = pipeline.app.synth().directory;
  }, 180_000);

  it.each(functionIds)('bundles %s as an ES module', (functionId) => {
    const fn = findResource(template, 'AWS::Lambda::Function', functionId);
    const { Code } = fn.properties as FunctionProperties;
    const assetDirectory = join(
      assemblyDirectory,
      `asset.${Code.S3Key.replace(/\.zip$/, '')}`,
    );

    const bundle = readFileSync(join(assetDirectory, 'index.mjs'), 'utf8');

    expect(
      bundle.startsWith("import { createRequire } from 'node:module';"),
    ).toBe(true);
    expect(existsSync(join(assetDirectory, 'index.mjs.map'))).toBe(true);
  });

  it.each(functionIds)('loads %s and exports handler', (functionId) => {
    const fn = findResource(template, 'AWS::Lambda::Function', functionId);
    const { Code, Environment } = fn.properties as FunctionProperties;
    const bundle = join(
      assemblyDirectory,
      `asset.${Code.S3Key.replace(/\.zip$/, '')}`,
      'index.mjs',
    );
    const script =
      `const m = await import(${JSON.stringify(pathToFileURL(bundle).href)});` +
      'process.stdout.write(typeof m.handler);';

    const output = execFileSync(
      process.execPath,
      ['--input-type=module', '--eval', script],
      {
        env: {
          PATH: process.env.PATH,
          AWS_REGION: 'us-east-1',
          AWS_EC2_METADATA_DISABLED: 'true',
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          ...toPlainEnvironment(Environment.Variables),
        },
        encoding: 'utf8',
      },
    );

    expect(output).toBe('function');
  });
});
