import { Match, Template } from 'aws-cdk-lib/assertions';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { createTestApp } from './synthesize.js';

describe('App: LocalStack environment', () => {
  afterEach(() => {
    vi.unstubAllEnvs();
  });

  it('synthesizes for the LocalStack account and region', () => {
    vi.stubEnv('AWS_ENDPOINT_URL', 'http://127.0.0.1:4566');
    vi.stubEnv('CDK_DEFAULT_ACCOUNT', '000000000000');
    vi.stubEnv('CDK_DEFAULT_REGION', 'us-east-1');
    const { app, stack } = createTestApp();

    const assembly = app.synth();

    const artifact = assembly.getStackByName(stack.stackName);
    expect(artifact.environment).toMatchObject({
      account: '000000000000',
      region: 'us-east-1',
    });
    Template.fromJSON(artifact.template).hasOutput('ApiUrl', {
      Value: {
        'Fn::Join': [
          '',
          [
            'https://',
            { Ref: Match.stringLikeRegexp('^IngestApiHttpApi') },
            '.execute-api.us-east-1.',
            { Ref: 'AWS::URLSuffix' },
            '/',
          ],
        ],
      },
    });
  });
});
