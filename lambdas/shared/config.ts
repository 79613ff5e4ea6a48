/**
 * Reads a required environment variable.
 *
 * @throws Error naming the variable when it is missing or empty.
 */
export function requireEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`Missing environment variable ${name}`);
  }

  return value;
}

/**
 * Reads a required environment variable that contains a positive integer.
 *
 * @throws Error naming the variable and its value when it is not one.
 */
export function requirePositiveInteger(name: string): number {
  const text = requireEnv(name);
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1) {
    throw new Error(
      `Invalid environment variable ${name}: expected a positive integer, got '${text}'`,
    );
  }

  return value;
}

/** Settings of the data file table that every function uses. */
export interface TableConfig {
  readonly tableName: string;
  readonly statusIndexName: string;
  readonly statusShardCount: number;
}

/** Reads the table settings from `TABLE_NAME` and the status index vars. */
export function readTableConfig(): TableConfig {
  return {
    tableName: requireEnv('TABLE_NAME'),
    statusIndexName: requireEnv('STATUS_INDEX_NAME'),
    statusShardCount: requirePositiveInteger('STATUS_SHARD_COUNT'),
  };
}
