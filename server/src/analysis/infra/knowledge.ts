// Knowledge as data: which IAM action each boto3/PynamoDB call needs, and which statements the
// policy shorthands of each format (SAM policy templates, CDK grants) stand for.

/** boto3 method (resource, client and PynamoDB spellings) -> the DynamoDB IAM action it needs. */
export const ACTION_OF_METHOD: Readonly<Record<string, string>> = {
  get_item: 'dynamodb:GetItem',
  put_item: 'dynamodb:PutItem',
  update_item: 'dynamodb:UpdateItem',
  delete_item: 'dynamodb:DeleteItem',
  query: 'dynamodb:Query',
  scan: 'dynamodb:Scan',
  batch_get_item: 'dynamodb:BatchGetItem',
  batch_write_item: 'dynamodb:BatchWriteItem',
  // A transaction is authorised item by item with the single-item actions: we cannot see which
  // ones without reading every entry, so it needs the read or write actions of its kind.
  transact_get_items: 'dynamodb:GetItem',
  transact_write_items: 'dynamodb:PutItem',
  execute_statement: 'dynamodb:PartiQLSelect',
  batch_execute_statement: 'dynamodb:PartiQLSelect',
  execute_transaction: 'dynamodb:PartiQLSelect',
  // PynamoDB
  get: 'dynamodb:GetItem',
  save: 'dynamodb:PutItem',
  update: 'dynamodb:UpdateItem',
  delete: 'dynamodb:DeleteItem',
  batch_get: 'dynamodb:BatchGetItem',
  refresh: 'dynamodb:GetItem',
  count: 'dynamodb:Query',
};

/** PartiQL statements need the action of their verb. */
export const PARTIQL_ACTIONS: Readonly<Record<string, string>> = {
  select: 'dynamodb:PartiQLSelect',
  insert: 'dynamodb:PartiQLInsert',
  update: 'dynamodb:PartiQLUpdate',
  delete: 'dynamodb:PartiQLDelete',
};

/** Actions of the batch writer (`with table.batch_writer() as b: b.put_item(...)`). */
export const BATCH_WRITER_ACTION = 'dynamodb:BatchWriteItem';

const READ = ['dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:ConditionCheckItem'];
const WRITE = ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:DescribeTable'];
const STREAM = ['dynamodb:GetRecords', 'dynamodb:GetShardIterator', 'dynamodb:DescribeStream', 'dynamodb:ListStreams'];

/**
 * AWS SAM policy templates that grant DynamoDB access, with the actions they expand to
 * (serverless-application-model's policy_templates.json). They cover the table and its indexes.
 */
export const SAM_POLICY_TEMPLATES: Readonly<Record<string, readonly string[]>> = {
  DynamoDBCrudPolicy: ['dynamodb:GetItem', 'dynamodb:DeleteItem', 'dynamodb:PutItem', 'dynamodb:Scan', 'dynamodb:Query', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem', 'dynamodb:BatchGetItem', 'dynamodb:DescribeTable', 'dynamodb:ConditionCheckItem'],
  DynamoDBReadPolicy: ['dynamodb:GetItem', 'dynamodb:Scan', 'dynamodb:Query', 'dynamodb:BatchGetItem', 'dynamodb:DescribeTable'],
  DynamoDBWritePolicy: ['dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:BatchWriteItem'],
  DynamoDBReconfigurePolicy: ['dynamodb:UpdateTable'],
  DynamoDBRestoreFromBackupPolicy: ['dynamodb:RestoreTableFromBackup', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:GetItem', 'dynamodb:Query', 'dynamodb:Scan', 'dynamodb:BatchWriteItem'],
  DynamoDBStreamReadPolicy: STREAM,
  DynamoDBBackupFullAccessPolicy: ['dynamodb:CreateBackup', 'dynamodb:DescribeContinuousBackups', 'dynamodb:DeleteBackup', 'dynamodb:DescribeBackup', 'dynamodb:ListBackups'],
};

/** AWS-managed policies that grant DynamoDB access (by name or ARN suffix). */
export const MANAGED_POLICIES: Readonly<Record<string, readonly string[]>> = {
  AmazonDynamoDBFullAccess: ['dynamodb:*'],
  AmazonDynamoDBReadOnlyAccess: READ,
};

/** CDK `table.grant_*` methods (aws-cdk-lib aws_dynamodb.Table). */
export const CDK_GRANTS: Readonly<Record<string, readonly string[]>> = {
  grant_read_data: [...READ, ...STREAM.slice(0, 2)],
  grant_write_data: WRITE,
  grant_read_write_data: [...new Set([...READ, ...WRITE, ...STREAM.slice(0, 2)])],
  grant_full_access: ['dynamodb:*'],
  grant_stream_read: STREAM,
};

/** Actions that only read: a function that makes only these calls gets no write action. */
export const READ_ACTIONS = new Set(READ.map((a) => a.toLowerCase()));

/** Actions every DynamoDB service call could be given by a lazy policy but no data-plane code needs. */
export const INDEX_ACTIONS = new Set(['dynamodb:query', 'dynamodb:scan']);
