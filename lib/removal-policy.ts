import { RemovalPolicy } from 'aws-cdk-lib';
import type { PipelineSettings } from './settings.js';

/** Maps the `removalPolicy` setting to the CDK removal policy. */
export function toRemovalPolicy(
  setting: PipelineSettings['removalPolicy'],
): RemovalPolicy {
  return setting === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN;
}
