import { actionsOfCall, indexOfCall } from '../infra/binding';
import { infraLookup } from '../infra/lookup';
import { evaluate } from '../infra/policy';
import type { RuleModule } from './rule';

const rule: RuleModule = {
  meta: {
    code: 'DG602',
    name: 'missing-permission',
    defaultSeverity: 'error',
    summary: 'The code calls a DynamoDB action on a table that the function\'s IAM policy does not allow: AccessDeniedException at run time.',
    cwe: ['CWE-754'],
    owasp: [],
    fixable: false,
    docs: {
      whatItDoes: 'For each DynamoDB call made by a Lambda handler that the service\'s infrastructure code deploys (SAM/CloudFormation, `serverless.yml`, Terraform, CDK Python), or by the functions it calls (in the same file or, through layers, in other modules of the service: reported on the handler\'s call into the layer), computes the IAM action the call needs (`get_item` -> `dynamodb:GetItem`, a query on an index -> `dynamodb:Query` on `table/<t>/index/<i>`, a batch writer -> `dynamodb:BatchWriteItem`...) and evaluates the function\'s policy statements as IAM does (an explicit Deny wins, then any Allow; wildcards in actions; SAM policy templates, CDK `grant_*` and AWS-managed DynamoDB policies expanded). Reported only when every source of the function\'s permissions is readable: an external role, an unknown managed policy or a resource pattern DynamoGuard cannot resolve makes it stay silent.',
      whyIsThisBad: 'The call fails with `AccessDeniedException` for every caller once deployed, typically on the code path the tests did not reach (a new index, a delete added later). Least-privilege policies make this more likely, which is a reason to check them, not to widen them.',
      example: '# template.yaml: Policies: [DynamoDBReadPolicy: {TableName: !Ref LoansTable}]\ndef return_loan(event, context):\n    loans.delete_item(Key={"member_id": member, "loan_id": loan_id})',
      useInstead: '# template.yaml: grant what the code does\nPolicies:\n  - Statement:\n      - Effect: Allow\n        Action: [dynamodb:DeleteItem]\n        Resource: !GetAtt LoansTable.Arn',
      fixSafety: 'No automatic fix in the Python file; `dynamo-guard iam` prints the statement the function needs, and DG601\'s fix writes it into the template.',
      references: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_evaluation-logic.html',
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/api-permissions-reference.html',
      ],
    },
  },
  messages: {
    denied: '`{{method}}` needs `{{action}}` on {{resource}}, which the IAM policy of function `{{fn}}` ({{file}}) does not allow: AccessDeniedException at run time.',
  },
  check(context) {
    const lookup = infraLookup(context.facts);
    if (!lookup) return;
    for (const f of context.facts.functions) {
      for (const call of f.calls) {
        // Made inside a same-file layer: reported there, at the DynamoDB call. A call into another
        // module is reported here, where the deployed function is known (related info leads down).
        if (call.via && !call.via.some((h) => h.path)) continue;
        const fns = lookup.functionsOf(call).filter((fn) => fn.policiesKnown);
        if (fns.length === 0) continue;
        const table = lookup.tableOf(call);
        if (!table) continue;
        const index = indexOfCall(call);
        // An index the table does not have is DG407's finding, not a permission problem.
        if (index !== undefined && !table.indexes.some((i) => i.name === index)) continue;
        const hit = fns.flatMap((fn) => actionsOfCall(context.facts, call).filter((a) => evaluate(fn.policies, a, table.id, index) === 'deny').map((action) => ({ fn, action })))[0];
        if (!hit) continue;
        const resource = `table \`${table.name ?? table.id}\`${index ? ` index \`${index}\`` : ''}`;
        context.report({ messageId: 'denied', data: { method: call.method, action: hit.action, resource, fn: hit.fn.id, file: hit.fn.loc.file.split(/[\\/]/).pop() ?? '' }, node: call.methodNode });
      }
    }
  },
};

export default rule;
