import { readFileSync } from 'node:fs';
import { Template } from 'aws-cdk-lib/assertions';
import { createPipelineApp, type PipelineApp } from '../../lib/pipeline-app.js';

/** Context of cdk.json, so tests synthesize with the CLI's feature flags. */
const cdkJsonContext: Record<string, unknown> = JSON.parse(
  readFileSync(new URL('../../cdk.json', import.meta.url), 'utf8'),
).context;

/** Options of {@link synthesizePipeline}. */
export interface SynthesizeOptions {
  /**
   * Runs esbuild for every function. Without it the functions get
   * placeholder code, which keeps a synthesis under a second.
   * @default false
   */
  readonly bundle?: boolean;
}

/** The app, its stack and the stack's synthesized template. */
export interface SynthesizedPipeline extends PipelineApp {
  readonly template: Template;
}

/**
 * Creates the pipeline app as `cdk synth` does, with setting overrides
 * passed as context.
 */
export function createTestApp(
  overrides: Readonly<Record<string, unknown>> = {},
  options: SynthesizeOptions = {},
): PipelineApp {
  return createPipelineApp({
    context: {
      ...cdkJsonContext,
      ...overrides,
      'aws:cdk:bundling-stacks': options.bundle ? ['**'] : [],
    },
  });
}

/** Creates the pipeline app and synthesizes its stack. */
export function synthesizePipeline(
  overrides: Readonly<Record<string, unknown>> = {},
  options: SynthesizeOptions = {},
): SynthesizedPipeline {
  const pipeline = createTestApp(overrides, options);

  return { ...pipeline, template: Template.fromStack(pipeline.stack) };
}

/** Finds the one resource of a type whose logical id contains `idPart`. */
export function findResource(
  template: Template,
  type: string,
  idPart: string,
): { logicalId: string; properties: Record<string, unknown> } {
  const matches = Object.entries(template.findResources(type)).filter(
    ([logicalId]) => logicalId.includes(idPart),
  );
  if (matches.length !== 1) {
    throw new Error(
      `expected one ${type} with '${idPart}' in its logical id, found ${matches.length}`,
    );
  }
  const [logicalId, resource] = matches[0] as [
    string,
    { Properties: Record<string, unknown> },
  ];

  return { logicalId, properties: resource.Properties };
}
