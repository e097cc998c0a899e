import type { RuleModule } from './rule';

// DG601 judges a template against the code of every function it deploys, so it runs on a whole
// service (infra/overPrivileged.ts, called by the CLI and the server for infrastructure files), not
// in this per-Python-file check. The module carries its metadata, message and documentation.

const rule: RuleModule = {
  meta: {
    code: 'DG601',
    name: 'over-privileged-policy',
    defaultSeverity: 'warning',
    summary: 'A function\'s IAM policy grants DynamoDB actions or tables its code never uses (`dynamodb:*`, `Resource: "*"`, unused tables).',
    cwe: ['CWE-250', 'CWE-732'],
    owasp: ['API5:2023 Broken Function Level Authorization'],
    fixable: true,
    docs: {
      whatItDoes: 'Reads each deployed function\'s policy statements from the service\'s infrastructure code (SAM `Policies` including policy templates such as `DynamoDBCrudPolicy`, CloudFormation `AWS::IAM::Role`/`AWS::IAM::Policy`, `serverless.yml` `provider.iam.role.statements` and per-function `iamRoleStatements`, Terraform `aws_iam_role_policy`/`aws_iam_policy` with `aws_iam_policy_document` or `jsonencode`, CDK `grant_*` and `add_to_role_policy`), computes what the function\'s Python handler actually calls (its own calls and those of the same-file functions it calls; action per call, table through `os.environ`, index through `IndexName`) and reports, on the statement in the template, any DynamoDB grant beyond that: wildcard actions (`dynamodb:*`, `dynamodb:Get*`), `Resource: "*"` or every table, tables the code never calls, actions it never makes. A statement shared by several functions (provider-level statements, one role for many functions) is judged against all of them together. Nothing is reported while a sharing function\'s handler cannot be found, one of its calls cannot be tied to a table, or it calls into another module of the service (repository layers are not followed yet: `dynamo-guard iam` lists them as unresolved).',
      whyIsThisBad: 'A Lambda function runs with its role\'s permissions whatever the request: with `dynamodb:*` on `*`, a bug or an injection in any handler reads, rewrites or deletes every table of the account, and drops tables. Least privilege limits the blast radius of each function to the items it is written to touch.',
      example: 'Policies:\n  - Statement:\n      - Effect: Allow\n        Action: dynamodb:*\n        Resource: "*"',
      useInstead: 'Policies:\n  - Statement:\n      - Effect: Allow\n        Action:\n          - dynamodb:Query\n        Resource:\n          - !GetAtt LoansTable.Arn',
      fixSafety: 'The fix replaces the statement with the statements `dynamo-guard iam` computes for what this statement granted and the code uses, written with the template\'s own references (`!GetAtt T.Arn`, `${aws_dynamodb_table.t.arn}`). It is never applied by fix-all: code DynamoGuard cannot see (another handler module deployed under the same role, a dynamic table name, an out-of-band script using the role) would lose access.',
      references: [
        'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html#grant-least-privilege',
        'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/specifying-conditions.html',
        'https://docs.aws.amazon.com/serverless-application-model/latest/developerguide/serverless-policy-templates.html',
      ],
    },
  },
  messages: {
    overPrivileged: '{{kind}} grants more than the code of `{{fns}}` uses ({{what}}); it needs only: {{needed}}.',
  },
  check() {
    // Runs per service: see the comment above.
  },
};

export default rule;
