import type { ITable } from 'aws-cdk-lib/aws-dynamodb';
import { Grant, type IGrantable } from 'aws-cdk-lib/aws-iam';
import { tableSchema } from '../lambdas/shared/table-schema.js';

/** DynamoDB actions on table items that a pipeline function may need. */
export type TableItemAction =
  | 'BatchWriteItem'
  | 'DeleteItem'
  | 'GetItem'
  | 'PutItem'
  | 'UpdateItem';

/**
 * Grants item actions on the table itself. `ITable.grant` would also
 * cover every index (`<table>/index/*`), which no item action needs.
 */
export function grantTableItemActions(
  grantee: IGrantable,
  table: ITable,
  actions: readonly TableItemAction[],
): Grant {
  return Grant.addToPrincipal({
    grantee,
    actions: actions.map((action) => `dynamodb:${action}`),
    resourceArns: [table.tableArn],
  });
}

/** Grants `dynamodb:Query` on the status index only. */
export function grantStatusIndexQuery(
  grantee: IGrantable,
  table: ITable,
): Grant {
  return Grant.addToPrincipal({
    grantee,
    actions: ['dynamodb:Query'],
    resourceArns: [`${table.tableArn}/index/${tableSchema.statusIndexName}`],
  });
}
