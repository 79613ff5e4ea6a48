import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

/**
 * Logger and metrics singletons. Service name, namespace and log level
 * come from the `POWERTOOLS_*` environment variables.
 */
export const logger = new Logger();

export const metrics = new Metrics();
