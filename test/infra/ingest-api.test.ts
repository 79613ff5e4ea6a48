import { Match, type Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, it } from 'vitest';
import { findResource, synthesizePipeline } from './synthesize.js';

describe('Construct: IngestApi', () => {
  let template: Template;

  beforeAll(() => {
    template = synthesizePipeline().template;
  });

  it('creates one HTTP API', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
      ProtocolType: 'HTTP',
    });
  });

  it.each(['POST /data/input', 'GET /data/files/{id}'])(
    'routes %s with IAM authorization',
    (routeKey) => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Route', {
        RouteKey: routeKey,
        AuthorizationType: 'AWS_IAM',
      });
    },
  );

  it('has no other routes', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Route', 2);
  });

  it('integrates the ingest function with payload format 2.0', () => {
    const ingest = findResource(
      template,
      'AWS::Lambda::Function',
      'IngestApiIngestFunction',
    );

    template.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
      IntegrationUri: { 'Fn::GetAtt': [ingest.logicalId, 'Arn'] },
    });
  });

  it('throttles the $default stage', () => {
    template.resourceCountIs('AWS::ApiGatewayV2::Stage', 1);
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: {
        ThrottlingRateLimit: 50,
        ThrottlingBurstLimit: 100,
      },
    });
  });

  it('writes JSON access logs with the request id', () => {
    template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      AccessLogSettings: {
        DestinationArn: {
          'Fn::GetAtt': [Match.stringLikeRegexp('AccessLogGroup'), 'Arn'],
        },
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
  });

  it('outputs the API URL', () => {
    template.hasOutput('ApiUrl', {
      Value: Match.objectLike({ 'Fn::Join': Match.anyValue() }),
    });
  });

  it('follows the throttle settings', () => {
    const { template: changed } = synthesizePipeline({
      apiThrottleRateLimit: 5,
      apiThrottleBurstLimit: 10,
    });

    changed.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      DefaultRouteSettings: {
        ThrottlingRateLimit: 5,
        ThrottlingBurstLimit: 10,
      },
    });
  });

  it('opens the routes when apiAuthorization is none', () => {
    const { template: open } = synthesizePipeline({
      apiAuthorization: 'none',
    });

    open.resourcePropertiesCountIs(
      'AWS::ApiGatewayV2::Route',
      { AuthorizationType: 'NONE' },
      2,
    );
  });
});
