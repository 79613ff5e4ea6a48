import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { localCredentials } from '../../local/aws-environment.js';

const run = promisify(execFile);
const repositoryRoot = fileURLToPath(new URL('../..', import.meta.url));

/**
 * Runs `bin/redrive.ts` with a DynamoDB endpoint on loopback as its only
 * endpoint, dummy credentials and none of the caller's AWS variables.
 *
 * @returns standard output and error.
 * @throws the `execFile` error, with `code` and `stderr`, on a non-zero exit.
 */
export function runRedriveCommand(
  args: readonly string[],
  target: { readonly dynamoDbEndpoint: string; readonly region: string },
): Promise<{ stdout: string; stderr: string }> {
  const env = Object.fromEntries(
    Object.entries(process.env).filter(([name]) => !name.startsWith('AWS_')),
  );

  return run('node_modules/.bin/tsx', ['bin/redrive.ts', ...args], {
    cwd: repositoryRoot,
    env: {
      ...env,
      AWS_ENDPOINT_URL_DYNAMODB: target.dynamoDbEndpoint,
      AWS_REGION: target.region,
      AWS_ACCESS_KEY_ID: localCredentials.accessKeyId,
      AWS_SECRET_ACCESS_KEY: localCredentials.secretAccessKey,
      AWS_EC2_METADATA_DISABLED: 'true',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
}
