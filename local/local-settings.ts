import { type PipelineSettings, resolveSettings } from '../lib/settings.js';

/**
 * Settings the local runtime applies over the defaults, so that leases,
 * timeouts and redeliveries take seconds instead of minutes. With a
 * 3-second processor timeout the work queue's visibility timeout is 18 s,
 * and the dispatch lease must be at least as long.
 */
export const localSettingOverrides = {
  stageName: 'local',
  processorTimeoutSeconds: 3,
  dispatchLeaseSeconds: 20,
  scheduledTimeoutSeconds: 10,
  lockLeaseSeconds: 10,
  lockSafetyMarginSeconds: 3,
} as const satisfies Partial<PipelineSettings>;

/**
 * Resolves the local settings: the defaults, then the local overrides,
 * then the caller's overrides.
 *
 * @param overrides - setting names and values; numbers may be strings.
 * @throws Error listing every invalid setting, one per line.
 */
export function resolveLocalSettings(
  overrides: Readonly<Record<string, unknown>> = {},
): PipelineSettings {
  return resolveSettings({ ...localSettingOverrides, ...overrides });
}
