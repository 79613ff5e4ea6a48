import { functionEnvironment } from '../../lib/environment.js';
import { defaultSettings } from '../../lib/settings.js';

/**
 * Sets the environment of all four handlers, as the stack would, before a
 * test imports them: they read it once at module load.
 */
export function setHandlerEnvironment(): void {
  const names = {
    tableName: 'files',
    workQueueUrl: 'http://127.0.0.1:9/000000000000/work',
  };
  for (const role of [
    'ingest',
    'dispatcher',
    'processor',
    'deleter',
  ] as const) {
    Object.assign(
      process.env,
      functionEnvironment(role, defaultSettings, names),
    );
  }
  process.env.AWS_ENDPOINT_URL_DYNAMODB = 'http://127.0.0.1:9';
  process.env.AWS_ENDPOINT_URL_SQS = 'http://127.0.0.1:9';
}
