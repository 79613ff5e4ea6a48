import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant } from 'aws-cdk-lib/aws-iam';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { ScheduledFunction } from './scheduled-function.js';
import type { PipelineSettings } from './settings.js';
import {
  grantStatusIndexQuery,
  grantTableItemActions,
} from './table-access.js';

/** Properties of {@link Schedules}. */
export interface SchedulesProps {
  readonly settings: PipelineSettings;
  readonly table: ITable;
  readonly workQueue: IQueue;
}

/**
 * The two scheduled functions: the dispatcher, which claims `raw` files
 * and sends them to the work queue, and the deleter, which deletes
 * `processed` files under the lock.
 */
export class Schedules extends Construct {
  readonly dispatcher: ScheduledFunction;
  readonly deleter: ScheduledFunction;

  constructor(scope: Construct, id: string, props: SchedulesProps) {
    super(scope, id);
    const { settings, table, workQueue } = props;

    this.dispatcher = new ScheduledFunction(this, 'Dispatcher', {
      role: 'dispatcher',
      settings,
      table,
      workQueue,
      rateMinutes: settings.dispatchRateMinutes,
      description: 'Claims raw files and sends them to the work queue',
    });
    const dispatcher = this.dispatcher.function.function;
    grantStatusIndexQuery(dispatcher, table);
    // GetItem reads a claim back after an ambiguous write.
    grantTableItemActions(dispatcher, table, ['UpdateItem', 'GetItem']);
    // queue.grantSendMessages would add GetQueueUrl, which the dispatcher
    // does not call. SendMessageBatch is authorized by sqs:SendMessage,
    // and GetQueueAttributes reads the backlog before a re-dispatch.
    Grant.addToPrincipal({
      grantee: dispatcher,
      actions: ['sqs:SendMessage', 'sqs:GetQueueAttributes'],
      resourceArns: [workQueue.queueArn],
    });

    this.deleter = new ScheduledFunction(this, 'Deleter', {
      role: 'deleter',
      settings,
      table,
      workQueue,
      rateMinutes: settings.deleteRateMinutes,
      description: 'Deletes processed files while holding the lock',
    });
    const deleter = this.deleter.function.function;
    grantStatusIndexQuery(deleter, table);
    grantTableItemActions(deleter, table, [
      'UpdateItem',
      'GetItem',
      'DeleteItem',
      'BatchWriteItem',
    ]);
  }
}
