import type { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { findResource, synthesizePipeline } from './synthesize.js';

type Statement = {
  Action: string | string[];
  Resource: unknown;
  Effect: string;
};

/** Statements of every inline policy attached to a function's role. */
function statementsOfFunction(
  template: Template,
  functionId: string,
): Statement[] {
  const fn = findResource(template, 'AWS::Lambda::Function', functionId);
  const [roleId] = (fn.properties.Role as { 'Fn::GetAtt': [string] })[
    'Fn::GetAtt'
  ];
  const policies = Object.values(
    template.findResources('AWS::IAM::Policy', {
      Properties: { Roles: [{ Ref: roleId }] },
    }),
  );

  return policies.flatMap(
    (policy) => policy.Properties.PolicyDocument.Statement,
  );
}

function actionsOf(statements: Statement[]): string[] {
  return statements.flatMap((statement) => statement.Action).sort();
}

const commonActions = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];

describe('Least-privilege IAM', () => {
  let template: Template;

  beforeAll(() => {
    template = synthesizePipeline().template;
  });

  it.each([
    [
      'IngestApiIngestFunction',
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
      ],
    ],
    [
      'SchedulesDispatcherFunction',
      [
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'sqs:GetQueueAttributes',
        'sqs:SendMessage',
      ],
    ],
    [
      'ProcessorFunction',
      [
        'dynamodb:GetItem',
        'dynamodb:UpdateItem',
        'sqs:ChangeMessageVisibility',
        'sqs:DeleteMessage',
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:ReceiveMessage',
      ],
    ],
    [
      'SchedulesDeleterFunction',
      [
        'dynamodb:BatchWriteItem',
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
      ],
    ],
  ])('allows %s only its actions', (functionId, actions) => {
    const statements = statementsOfFunction(template, functionId);

    expect(actionsOf(statements)).toEqual(
      [...commonActions, ...actions].sort(),
    );
  });

  it('uses no wildcard actions', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const actions = actionsOf(
      policies.flatMap((policy) => policy.Properties.PolicyDocument.Statement),
    );

    expect(actions.filter((action) => action.includes('*'))).toEqual([]);
  });

  it('allows * resources only for X-Ray', () => {
    const policies = Object.values(template.findResources('AWS::IAM::Policy'));
    const statements: Statement[] = policies.flatMap(
      (policy) => policy.Properties.PolicyDocument.Statement,
    );
    const wildcard = statements.filter((s) => s.Resource === '*');

    expect(wildcard).toHaveLength(4);
    for (const statement of wildcard) {
      expect(statement.Action).toEqual([
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ]);
    }
  });

  it('limits Query to the status index', () => {
    const table = findResource(template, 'AWS::DynamoDB::Table', 'Storage');
    const queries = ['SchedulesDispatcherFunction', 'SchedulesDeleterFunction']
      .flatMap((id) => statementsOfFunction(template, id))
      .filter((statement) => statement.Action === 'dynamodb:Query');

    expect(queries).toHaveLength(2);
    for (const statement of queries) {
      expect(statement.Resource).toEqual({
        'Fn::Join': [
          '',
          [{ 'Fn::GetAtt': [table.logicalId, 'Arn'] }, '/index/StatusIndex'],
        ],
      });
    }
  });

  it('attaches no managed policies', () => {
    const roles = Object.values(template.findResources('AWS::IAM::Role'));

    for (const role of roles) {
      expect(role.Properties).not.toHaveProperty('ManagedPolicyArns');
    }
  });
});
