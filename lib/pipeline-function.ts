import { fileURLToPath } from 'node:url';
import { type Duration, Validations } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import {
  ApplicationLogLevel,
  Architecture,
  LoggingFormat,
  Runtime,
  SystemLogLevel,
  Tracing,
} from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup } from 'aws-cdk-lib/aws-logs';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { type FunctionRole, functionEnvironment } from './environment.js';
import { toRemovalPolicy } from './removal-policy.js';
import type { PipelineSettings } from './settings.js';

const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/**
 * Lambda runtime of every function. The region facts of aws-cdk-lib 2.278
 * name nodejs24.x as the latest Node.js runtime in every region, and
 * `Runtime.NODEJS_LATEST` resolves to it.
 */
const functionRuntime = Runtime.NODEJS_24_X;

/**
 * ES module output needs `require` for the CommonJS dependencies that
 * esbuild bundles, because Node.js defines it only in CommonJS modules.
 */
const requireBanner =
  "import { createRequire } from 'node:module';" +
  'const require = createRequire(import.meta.url);';

/** Properties of a {@link PipelineFunction}. */
export interface PipelineFunctionProps {
  /** Handler role, which selects `lambdas/<role>.ts` and its env vars. */
  readonly role: FunctionRole;
  readonly settings: PipelineSettings;
  /** Data file table, whose name goes into `TABLE_NAME`. */
  readonly table: ITable;
  /** Work queue, whose URL goes into `WORK_QUEUE_URL` where used. */
  readonly workQueue: IQueue;
  readonly timeout: Duration;
  /** @default 256 */
  readonly memorySize?: number;
  /** @default - no reserved concurrency */
  readonly reservedConcurrentExecutions?: number;
  readonly description: string;
}

/**
 * One pipeline Lambda function, built with the local esbuild as an arm64
 * Node.js ES module with source maps. It gets its own log group and an
 * execution role that may only write to that log group and send X-Ray
 * traces. The construct that uses the function grants table and queue
 * access.
 */
export class PipelineFunction extends Construct {
  readonly function: NodejsFunction;
  readonly executionRole: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: PipelineFunctionProps) {
    super(scope, id);
    const { settings } = props;

    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: settings.logRetentionDays,
      removalPolicy: toRemovalPolicy(settings.removalPolicy),
    });
    this.executionRole = new Role(this, 'ExecutionRole', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of the ${props.role} function`,
    });
    this.logGroup.grantWrite(this.executionRole);

    this.function = new NodejsFunction(this, 'Function', {
      entry: `${projectRoot}lambdas/${props.role}.ts`,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      description: props.description,
      runtime: functionRuntime,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrentExecutions,
      role: this.executionRole,
      tracing: Tracing.ACTIVE,
      logGroup: this.logGroup,
      loggingFormat: LoggingFormat.JSON,
      applicationLogLevelV2: ApplicationLogLevel[settings.logLevel],
      systemLogLevelV2: SystemLogLevel.INFO,
      environment: {
        ...functionEnvironment(props.role, settings, {
          tableName: props.table.tableName,
          workQueueUrl: props.workQueue.queueUrl,
        }),
        NODE_OPTIONS: '--enable-source-maps',
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node24',
        mainFields: ['module', 'main'],
        banner: requireBanner,
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Bundle the AWS SDK too, so the functions run the SDK version that
        // the tests ran instead of the one the runtime happens to ship.
        externalModules: [],
        tsconfig: `${projectRoot}tsconfig.json`,
      },
    });
    this.acknowledgeNagFindings();
  }

  private acknowledgeNagFindings(): void {
    Validations.of(this.executionRole).acknowledge({
      id: 'AwsSolutions-IAM5[Resource::*]',
      reason:
        'Active tracing adds xray:PutTraceSegments and ' +
        'xray:PutTelemetryRecords, which support no resource-level ' +
        'permissions, so their resource must be *.',
    });
    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions-L1',
      reason:
        'The rule compares with the newest runtime constant, nodejs26.x, ' +
        'but the aws-cdk-lib 2.278 region facts name nodejs24.x as the ' +
        'latest Node.js runtime in every region, so nodejs24.x is used.',
    });
  }
}
