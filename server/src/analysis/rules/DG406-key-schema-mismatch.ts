import { indexOf, keyConditionAttrs, keyedCalls, literalDictKeys, schemaText } from '../infra/keys';
import { replaceNode } from '../fixes/edits';
import { textOf } from '../model/module';
import type { Fix } from '../types';
import type { RuleModule } from './rule';

const rule: RuleModule = {
  meta: {
    code: 'DG406',
    name: 'key-schema-mismatch',
    defaultSeverity: 'error',
    summary: 'A key that does not match the table\'s key schema (from the infrastructure code): DynamoDB rejects the request.',
    cwe: ['CWE-20'],
    owasp: [],
    fixable: true,
    docs: {
      whatItDoes: 'Reads the key schema of the table a call works on from the service\'s infrastructure code (SAM/CloudFormation `KeySchema`, `serverless.yml` resources, Terraform `hash_key`/`range_key`, CDK `partition_key`/`sort_key`) and checks, on boto3 resource and client calls: that a literal `Key=` of `get_item`/`update_item`/`delete_item` names exactly the table\'s key attributes (no other name, no missing sort key); that a literal `Item=` of `put_item` holds every key attribute; that a `query` without `IndexName` puts its key condition only on key attributes. The table is found by its literal name or through `Table(os.environ["X"])` and the environment the template gives the function that runs the code. Dicts built elsewhere or spread with `**` are not judged, nor are PynamoDB models (they declare their own keys).',
      whyIsThisBad: 'DynamoDB rejects the request with `ValidationException: The provided key element does not match the schema` (or `Query condition missed key schema element`). The mistake is common when a table is renamed or re-keyed in the template and the code is not, and it ships because unit tests mock the table.',
      example: '# template.yaml: KeySchema: [{AttributeName: member_id, KeyType: HASH}, {AttributeName: loan_id, KeyType: RANGE}]\nloans.get_item(Key={"id": loan_id})',
      useInstead: 'loans.get_item(Key={"member_id": member, "loan_id": loan_id})',
      fixSafety: 'When exactly one name of `Key=` is not a key attribute and exactly one key attribute is missing, the fix renames the first to the second. It is never applied by fix-all: the value may not be the one the other attribute holds (a rename makes the request valid, a human checks that it is the right request).',
      references: [
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/HowItWorks.CoreComponents.html#HowItWorks.CoreComponents.PrimaryKey',
        'https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-dynamodb-table.html',
      ],
    },
  },
  messages: {
    key: '`{{method}}` names {{given}} in `{{kw}}`, but table `{{table}}` has the key {{schema}}: DynamoDB rejects the request (ValidationException).',
    condition: '`query` puts its key condition on `{{attr}}`, which is not a key of table `{{table}}` (key: {{schema}}): DynamoDB rejects the request (ValidationException).',
  },
  check(context) {
    const { facts } = context;
    for (const { call, table } of keyedCalls(facts)) {
      const keys = table.keys!;
      const wanted = keys.sort ? [keys.partition, keys.sort] : [keys.partition];
      const label = table.name ?? table.id;
      if (call.method === 'get_item' || call.method === 'update_item' || call.method === 'delete_item' || call.method === 'put_item') {
        const kw = call.method === 'put_item' ? 'Item' : 'Key';
        const given = literalDictKeys(call, kw);
        if (!given) continue;
        const names = given.map((g) => g.name);
        const missing = wanted.filter((w) => !names.includes(w));
        const extra = kw === 'Key' ? given.filter((g) => !wanted.includes(g.name)) : [];
        if (missing.length === 0 && extra.length === 0) continue;
        const fixes = (): Fix[] => {
          if (extra.length !== 1 || missing.length !== 1) return [];
          const node = extra[0]!.node;
          const quote = textOf(facts.text, node).match(/^[rbuRBU]*(["'])/)?.[1] ?? '"';
          return [{ title: `Rename key \`${extra[0]!.name}\` to \`${missing[0]}\``, edits: [replaceNode(node, `${quote}${missing[0]}${quote}`)], isPreferred: true, safe: false }];
        };
        context.report({
          messageId: 'key',
          data: { method: call.method, given: names.map((n) => `\`${n}\``).join(', '), kw, table: label, schema: schemaText(keys) },
          node: call.methodNode,
          fixes,
        });
      } else if (call.method === 'query' && indexOf(call) === undefined) {
        const bad = keyConditionAttrs(call).find((a) => !wanted.includes(a.name));
        if (bad) context.report({ messageId: 'condition', data: { attr: bad.name, table: label, schema: schemaText(keys) }, node: call.methodNode });
      }
    }
  },
};

export default rule;
