import { App, type AppProps, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import type { Node } from 'constructs';
import { PipelineStack } from './pipeline-stack.js';
import { resolveSettings } from './settings.js';

/** The CDK app and its one pipeline stack. */
export interface PipelineApp {
  readonly app: App;
  readonly stack: PipelineStack;
}

/**
 * Creates the CDK app with its pipeline stack. Setting overrides come from
 * the context, one key per setting (for example `cdk synth -c
 * batchSize=5`), and are validated before the stack is built. The cdk-nag
 * AWS Solutions checks run as a validation plugin and fail synthesis on
 * any finding that is not acknowledged.
 *
 * The stack uses the account and region that the CDK CLI puts into
 * `CDK_DEFAULT_ACCOUNT` and `CDK_DEFAULT_REGION`, and is
 * environment-agnostic when they are unset.
 *
 * @param props - App properties. Tests pass the context here.
 * @throws Error listing every invalid setting, one per line.
 */
export function createPipelineApp(props?: AppProps): PipelineApp {
  const app = new App(props);
  const settings = resolveSettings(readSettingOverrides(app.node));
  const stack = new PipelineStack(
    app,
    `DatafilePipeline-${settings.stageName}`,
    {
      settings,
      description: `Data file pipeline, stage ${settings.stageName}`,
      env: {
        account: process.env.CDK_DEFAULT_ACCOUNT,
        region: process.env.CDK_DEFAULT_REGION,
      },
    },
  );
  Validations.of(app).addPlugins(new AwsSolutionsChecks(app));

  return { app, stack };
}

/**
 * Context keys in plain camelCase are taken as settings, so that a
 * misspelt one is rejected instead of ignored. CDK's own keys, such as
 * feature flags, lookups and `cli-telemetry`, contain `:`, `@` or `-`.
 */
const settingKeyPattern = /^[a-z][A-Za-z0-9]*$/;

function readSettingOverrides(node: Node): Record<string, unknown> {
  const context: Record<string, unknown> = node.getAllContext();

  return Object.fromEntries(
    Object.entries(context).filter(([key]) => settingKeyPattern.test(key)),
  );
}
