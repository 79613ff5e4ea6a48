import { Duration } from 'aws-cdk-lib';
import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { type IRole, PolicyStatement } from 'aws-cdk-lib/aws-iam';
import {
  Schedule,
  ScheduleExpression,
  TimeWindow,
} from 'aws-cdk-lib/aws-scheduler';
import { LambdaInvoke } from 'aws-cdk-lib/aws-scheduler-targets';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { PipelineFunction } from './pipeline-function.js';
import type { PipelineSettings } from './settings.js';

/** Maximum age of an event in Lambda's asynchronous queue, in seconds. */
const maxAsyncEventAgeSeconds = 6 * 60 * 60;

/**
 * Lambda target whose scheduler role may invoke only the unqualified
 * function. `LambdaInvoke` grants through `grantInvoke`, which adds every
 * version and alias (`<function ARN>:*`) that the schedule never calls.
 */
class UnqualifiedLambdaInvoke extends LambdaInvoke {
  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [this.targetArn],
      }),
    );
  }
}

/** Properties of a {@link ScheduledFunction}. */
export interface ScheduledFunctionProps {
  readonly role: 'dispatcher' | 'deleter';
  readonly settings: PipelineSettings;
  readonly table: ITable;
  readonly workQueue: IQueue;
  /** Minutes between two runs. */
  readonly rateMinutes: number;
  readonly description: string;
}

/**
 * A pipeline function that an EventBridge Scheduler schedule invokes
 * every `rateMinutes`, at most one run at a time.
 *
 * Each run drains the work that is due, so a second run at the same time
 * would only race the first for the same items. The conditional writes
 * and the deleter's lock keep such a race safe, but it doubles the reads
 * and the contention. Reserved concurrency 1 makes Lambda hold an
 * overlapping invocation in its asynchronous event queue until the
 * running one ends.
 *
 * Neither the schedule nor Lambda retries a failed run, and Lambda drops
 * an event that waited longer than one interval. The next tick starts a
 * fresh run that finds the same work, so a retry would only queue
 * behind it.
 */
export class ScheduledFunction extends Construct {
  readonly function: PipelineFunction;
  readonly schedule: Schedule;

  constructor(scope: Construct, id: string, props: ScheduledFunctionProps) {
    super(scope, id);
    const interval = Duration.minutes(props.rateMinutes);
    const maxEventAge = Duration.seconds(
      Math.min(interval.toSeconds(), maxAsyncEventAgeSeconds),
    );

    // NOTE: Lambda keeps part of each account's concurrency unreserved, so
    // an account with a small concurrency quota (new accounts can start at
    // 10) rejects this reservation until the quota is raised.
    this.function = new PipelineFunction(this, 'Function', {
      role: props.role,
      settings: props.settings,
      table: props.table,
      workQueue: props.workQueue,
      timeout: Duration.seconds(props.settings.scheduledTimeoutSeconds),
      reservedConcurrentExecutions: 1,
      description: props.description,
    });
    this.function.function.configureAsyncInvoke({
      retryAttempts: 0,
      maxEventAge,
    });

    this.schedule = new Schedule(this, 'Schedule', {
      schedule: ScheduleExpression.rate(interval),
      timeWindow: TimeWindow.off(),
      description: `Runs the ${props.role} every ${props.rateMinutes} min`,
      target: new UnqualifiedLambdaInvoke(this.function.function, {
        retryAttempts: 0,
        maxEventAge,
      }),
    });
  }
}
