import {
  AttributeType,
  BillingMode,
  ProjectionType,
  Table,
  TableEncryption,
} from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { tableSchema } from '../lambdas/shared/table-schema.js';
import { toRemovalPolicy } from './removal-policy.js';
import type { PipelineSettings } from './settings.js';

/** Properties of {@link Storage}. */
export interface StorageProps {
  readonly settings: PipelineSettings;
}

/**
 * The data file table: one item per file, the deleter's lock item and the
 * ingest idempotency records, on-demand, encrypted with the AWS managed
 * KMS key and with point-in-time recovery.
 */
export class Storage extends Construct {
  readonly table: Table;

  constructor(scope: Construct, id: string, props: StorageProps) {
    super(scope, id);
    const retain = props.settings.removalPolicy === 'retain';

    this.table = new Table(this, 'Table', {
      partitionKey: {
        name: tableSchema.partitionKey,
        type: AttributeType.STRING,
      },
      billingMode: BillingMode.PAY_PER_REQUEST,
      timeToLiveAttribute: tableSchema.timeToLiveAttribute,
      encryption: TableEncryption.AWS_MANAGED,
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: retain,
      removalPolicy: toRemovalPolicy(props.settings.removalPolicy),
    });
    // Items carry the index keys only while work is due, so the index stays
    // small, and projecting every attribute spares the dispatcher and the
    // deleter a GetItem per item.
    this.table.addGlobalSecondaryIndex({
      indexName: tableSchema.statusIndexName,
      partitionKey: {
        name: tableSchema.statusIndexPartitionKey,
        type: AttributeType.STRING,
      },
      sortKey: {
        name: tableSchema.statusIndexSortKey,
        type: AttributeType.STRING,
      },
      projectionType: ProjectionType.ALL,
    });
  }
}
