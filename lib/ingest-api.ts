import { Duration, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import {
  HttpApi,
  HttpMethod,
  HttpNoneAuthorizer,
  HttpStage,
  type IHttpRouteAuthorizer,
  LogGroupLogDestination,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpIamAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ingestRoutes } from '../lambdas/shared/routes.js';
import { PipelineFunction } from './pipeline-function.js';
import { toRemovalPolicy } from './removal-policy.js';
import type { PipelineSettings } from './settings.js';
import { grantTableItemActions } from './table-access.js';

/** Properties of {@link IngestApi}. */
export interface IngestApiProps {
  readonly settings: PipelineSettings;
  readonly table: ITable;
  readonly workQueue: IQueue;
}

/** Fields of one access log line, in the variables HTTP APIs support. */
const accessLogFields = {
  requestId: '$context.requestId',
  requestTime: '$context.requestTime',
  sourceIp: '$context.identity.sourceIp',
  callerArn: '$context.identity.userArn',
  routeKey: '$context.routeKey',
  status: '$context.status',
  protocol: '$context.protocol',
  responseLength: '$context.responseLength',
  integrationLatency: '$context.integrationLatency',
  integrationError: '$context.integrationErrorMessage',
};

/**
 * The HTTP API in front of the ingest function. `POST /data/input` stores
 * files and `GET /data/files/{id}` returns one file's status.
 *
 * Routes use IAM authorization unless the `apiAuthorization` setting is
 * `none`. The `$default` stage throttles requests and writes JSON access
 * logs, and keeps paths the same as in the local runtime (no stage prefix).
 *
 * HTTP APIs cannot limit the request body size below their 10 MB payload
 * quota, so the ingest handler enforces the limit: it rejects bodies
 * larger than `MAX_BODY_BYTES` (the `maxBodyBytes` setting) with a 413.
 * A request whose event exceeds the 6 MB payload quota of synchronous
 * Lambda invocations fails before the handler runs.
 */
export class IngestApi extends Construct {
  readonly ingest: PipelineFunction;
  readonly httpApi: HttpApi;
  readonly stage: HttpStage;

  constructor(scope: Construct, id: string, props: IngestApiProps) {
    super(scope, id);
    const { settings, table } = props;

    this.ingest = new PipelineFunction(this, 'Ingest', {
      role: 'ingest',
      settings,
      table,
      workQueue: props.workQueue,
      timeout: Duration.seconds(settings.ingestTimeoutSeconds),
      description: 'Stores the files of POST /data/input as raw items',
    });
    // Idempotency records live in the same table as the file items.
    grantTableItemActions(this.ingest.function, table, [
      'BatchWriteItem',
      'PutItem',
      'GetItem',
      'UpdateItem',
    ]);

    this.httpApi = new HttpApi(this, 'HttpApi', {
      description: 'Ingest API of the data file pipeline',
      createDefaultStage: false,
    });
    this.stage = this.createStage(settings);
    this.addRoutes(settings);
  }

  private createStage(settings: PipelineSettings): HttpStage {
    const accessLogGroup = new LogGroup(this, 'AccessLogGroup', {
      retention: settings.logRetentionDays,
      removalPolicy: toRemovalPolicy(settings.removalPolicy),
    });

    return new HttpStage(this, 'DefaultStage', {
      httpApi: this.httpApi,
      autoDeploy: true,
      throttle: {
        rateLimit: settings.apiThrottleRateLimit,
        burstLimit: settings.apiThrottleBurstLimit,
      },
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogGroup),
        format: AccessLogFormat.custom(JSON.stringify(accessLogFields)),
      },
    });
  }

  private addRoutes(settings: PipelineSettings): void {
    const integration = new HttpLambdaIntegration(
      'IngestIntegration',
      this.ingest.function,
    );
    const authorizer = createAuthorizer(settings);
    for (const route of Object.values(ingestRoutes)) {
      this.httpApi.addRoutes({
        path: route.path,
        methods: [HttpMethod[route.method]],
        integration,
        authorizer,
      });
    }
    if (settings.apiAuthorization === 'none') {
      Validations.of(this.httpApi).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          'The apiAuthorization setting is none, so the deployer chose ' +
          'to leave these routes open on this stage.',
      });
    }
  }
}

function createAuthorizer(settings: PipelineSettings): IHttpRouteAuthorizer {
  return settings.apiAuthorization === 'iam'
    ? new HttpIamAuthorizer()
    : new HttpNoneAuthorizer();
}
