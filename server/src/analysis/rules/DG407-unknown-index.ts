import { indexOf, keyConditionAttrs, keyedCalls, schemaText } from '../infra/keys';
import type { RuleModule } from './rule';

const rule: RuleModule = {
  meta: {
    code: 'DG407',
    name: 'unknown-index',
    defaultSeverity: 'error',
    summary: '`IndexName` that the table does not have, or a key condition on attributes that are not the index\'s keys: DynamoDB rejects the request.',
    cwe: ['CWE-20'],
    owasp: [],
    fixable: false,
    docs: {
      whatItDoes: 'Reads the global and local secondary indexes of the table a `query` or `scan` works on from the service\'s infrastructure code (SAM/CloudFormation `GlobalSecondaryIndexes`/`LocalSecondaryIndexes`, Terraform `global_secondary_index`/`local_secondary_index` blocks, CDK `add_global_secondary_index`/`add_local_secondary_index`) and flags a literal `IndexName` the table does not declare, and a `query` on a declared index whose key condition names an attribute that is not that index\'s partition or sort key. Index names built at run time are not judged (DG405 covers index names taken from the request).',
      whyIsThisBad: 'DynamoDB rejects the request with `ValidationException: The table does not have the specified index` or `Query condition missed key schema element`. Index names drift between template and code (renamed in one place, a stage suffix in the other), and the endpoint fails for every caller.',
      example: '# template.yaml: GlobalSecondaryIndexes: [{IndexName: by_isbn, KeySchema: [isbn HASH, due_date RANGE]}]\nloans.query(IndexName="by-isbn", KeyConditionExpression=Key("isbn").eq(isbn))',
      useInstead: 'loans.query(IndexName="by_isbn", KeyConditionExpression=Key("isbn").eq(isbn))',
      fixSafety: 'No automatic fix: which index (or which attribute) the author meant is a design question; the message lists the indexes the table has.',
      references: [
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/SecondaryIndexes.html',
        'https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_Query.html',
      ],
    },
  },
  messages: {
    unknown: 'Table `{{table}}` has no index `{{index}}` (it has {{known}}): DynamoDB rejects this `{{method}}` (ValidationException).',
    condition: '`query` on index `{{index}}` puts its key condition on `{{attr}}`, which is not a key of the index (key: {{schema}}): DynamoDB rejects the request (ValidationException).',
  },
  check(context) {
    for (const { call, table } of keyedCalls(context.facts)) {
      if (call.method !== 'query' && call.method !== 'scan') continue;
      const name = indexOf(call);
      if (name === undefined) continue;
      const label = table.name ?? table.id;
      const index = table.indexes.find((i) => i.name === name);
      if (!index) {
        const known = table.indexes.length ? table.indexes.map((i) => `\`${i.name}\``).join(', ') : 'no secondary index';
        context.report({ messageId: 'unknown', data: { table: label, index: name, known, method: call.method }, node: call.methodNode });
        continue;
      }
      const keys = [index.keys.partition, index.keys.sort].filter((k): k is string => !!k);
      const bad = keyConditionAttrs(call).find((a) => !keys.includes(a.name));
      if (bad) context.report({ messageId: 'condition', data: { index: name, attr: bad.name, schema: schemaText(index.keys) }, node: call.methodNode });
    }
  },
};

export default rule;
