import { offsetRange } from '../fixes/literals';
import { textOf } from '../model/module';
import { field, rangeOf, visit, type SyntaxNode } from '../parse/syntax';
import { awsCalls, isLocalEndpoint, literalOf, type Literal } from './support/awsClients';
import type { RuleModule } from './rule';

const CRED_KWARGS = ['aws_access_key_id', 'aws_secret_access_key', 'aws_session_token'];
const CRED_NAME = /^aws_(access_key_id|secret_access_key|session_token)$/i;
const KEY_ID = /(?<![A-Z0-9])(AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])/g;
/** Values that cannot be a real credential: moto's "testing", DynamoDB Local's "fake"/"local"/"key"... */
// Settings-class defaults that only name the setting (`"secret_key"`, `"access_key"`) are placeholders too.
const PLACEHOLDER = /^(|test\w*|fake\w*|dummy\w*|mock\w*|moto|local\w*|example\w*|placeholder|x+|foo|bar|none|null|anything|key|secret|id|token|changeme|change[_-]me|your[_-]?\w*|(aws[_-]?)?(secret|access|session)([_-]access)?[_-]?(key|token)([_-]?id)?|<[^>]*>|\$\{[^}]*\}|\*+|\S*EXAMPLE(KEY)?)$/i;

function isKeyShaped(s: string): boolean {
  return new RegExp(KEY_ID.source).test(s);
}

/** How the key appears in messages: never the secret itself (findings end up in CI logs and SARIF files). */
function masked(name: string): string {
  return name.toLowerCase().replace(/^aws_/, '').replace(/_/g, ' ');
}

const rule: RuleModule = {
  meta: {
    code: 'DG501',
    name: 'hardcoded-credentials',
    defaultSeverity: 'error',
    summary: 'AWS credentials are written in the source code.',
    cwe: ['CWE-798', 'CWE-259'],
    owasp: ['API8:2023 Security Misconfiguration'],
    fixable: false,
    docs: {
      whatItDoes: 'Flags literal `aws_access_key_id`, `aws_secret_access_key` and `aws_session_token` arguments of AWS SDK constructors (`boto3.client/resource/Session`, `boto3.session.Session`, aioboto3/aiobotocore sessions, `<session>.client/resource(...)`), also through a variable assigned a literal in the same function or at module level and through the default of `os.getenv`/`os.environ.get`; assignments of literals to names such as `aws_secret_access_key`/`AWS_SECRET_ACCESS_KEY` (settings classes, PynamoDB `Meta`) and to `os.environ["AWS_SECRET_ACCESS_KEY"]`; and any string literal shaped like an access key id (`AKIA`/`ASIA` + 16 upper-case letters or digits). The finding is on the literal; messages never repeat the secret. Not reported: values that cannot be credentials (empty, `testing`, `fake`, `dummy`, `local`, `key`, `secret`, `xxx`...: moto and DynamoDB Local conventions), any non key-shaped values passed together with a loopback `endpoint_url` (`localhost`, `127.0.0.1`, `::1`, `host.docker.internal`, a single-label emulator host such as `dynamodb-local`), and AWS\'s documentation example key (`...EXAMPLE`).',
      whyIsThisBad: 'Keys in source code end up in every clone, fork, CI log, container image and backup of the repository; leaked AWS keys are harvested from public repositories within minutes. They also bypass rotation and least-privilege: the code runs with whoever\'s key was pasted, everywhere.',
      example: 'dynamodb = boto3.resource(\n    "dynamodb",\n    aws_access_key_id="AKIA...",\n    aws_secret_access_key="wJalr...",\n)',
      useInstead: '# The default credential chain: environment variables, ~/.aws profiles (local), the IAM role\n# of the Lambda function, ECS task or EC2 instance (deployed). Nothing to write in the code.\ndynamodb = boto3.resource("dynamodb")',
      fixSafety: 'No automatic fix: removing the arguments changes which identity the code runs as, and the leaked key must be deactivated in IAM anyway (it stays in the repository history). Let boto3 find credentials through its default chain: environment variables or a named profile locally, the execution role in Lambda/ECS/EC2.',
      references: ['https://boto3.amazonaws.com/v1/documentation/api/latest/guide/credentials.html', 'https://docs.aws.amazon.com/IAM/latest/UserGuide/best-practices.html', 'https://cwe.mitre.org/data/definitions/798.html'],
    },
  },
  messages: {
    argument: 'Hardcoded AWS credential: the {{what}} passed to `{{callee}}` is a literal in the source; let boto3 use its default credential chain (environment, profile, IAM role).',
    assignment: 'Hardcoded AWS credential: `{{name}}` is assigned a literal in the source; load it from the environment or use the default credential chain.',
    keyId: 'String literal shaped like an AWS access key id ({{prefix}}...): credentials must not be in the source code.',
  },
  check(context) {
    const { facts } = context;
    const done = new Set<number>();
    const reportLiteral = (lit: Literal, messageId: string, data: Record<string, string>, use?: SyntaxNode) => {
      if (done.has(lit.node.start) || PLACEHOLDER.test(lit.value.trim())) return;
      done.add(lit.node.start);
      context.report({ messageId, data, node: lit.node, ...(use && use.start !== lit.node.start ? { related: [{ range: rangeOf(use), message: 'Used here' }] } : {}) });
    };
    for (const call of awsCalls(facts)) {
      const creds = CRED_KWARGS.map((k) => ({ k, kw: call.kwargs.get(k) })).filter((c) => c.kw);
      if (!creds.length) continue;
      const lits = creds.map(({ k, kw }) => ({ k, kw: kw!, lit: literalOf(facts, kw!.value) }));
      const endpoint = call.kwargs.get('endpoint_url');
      const url = endpoint ? literalOf(facts, endpoint.value)?.value : undefined;
      if (url !== undefined && isLocalEndpoint(url) && !lits.some((l) => l.lit && isKeyShaped(l.lit.value))) continue;
      for (const { k, kw, lit } of lits) if (lit) reportLiteral(lit, 'argument', { what: masked(k), callee: `${call.callee}(...)` }, kw.arg);
    }
    for (const unit of facts.module.units) {
      if (!/aws_(access_key_id|secret_access_key|session_token)/i.test(unit.text)) continue;
      visit(unit.node, (n) => {
        if (n.type === 'assignment') {
          const left = field(n, 'left');
          const right = field(n, 'right');
          if (!left || !right) return undefined;
          const lt = textOf(facts.text, left);
          const name = left.type === 'subscript' ? /environ\[\s*["'](\w+)["']\s*\]$/.exec(lt)?.[1] : lt.split('.').pop();
          const lit = name && CRED_NAME.test(name) ? literalOf(facts, right) : undefined;
          if (lit && lit.node.type === 'string') reportLiteral(lit, 'assignment', { name: name! });
        } else if (n.type === 'call' && /environ\.setdefault$/.test(textOf(facts.text, field(n, 'function')!))) {
          const [k, v] = field(n, 'arguments')?.children.filter((c) => c.named) ?? [];
          const key = k?.type === 'string' ? textOf(facts.text, k).slice(1, -1) : '';
          const lit = v && CRED_NAME.test(key) ? literalOf(facts, v) : undefined;
          if (lit && lit.node.type === 'string') reportLiteral(lit, 'assignment', { name: `os.environ["${key}"]` });
        }
        return undefined;
      });
    }
    for (const unit of facts.module.units) {
      if (!new RegExp(KEY_ID.source).test(unit.text)) continue;
      visit(unit.node, (n) => {
        if (n.type !== 'string') return undefined;
        if (done.has(n.start)) return false;
        const raw = textOf(facts.text, n);
        for (const m of raw.matchAll(KEY_ID)) {
          if (PLACEHOLDER.test(m[0])) continue;
          const at = n.start + m.index!;
          context.report({ messageId: 'keyId', data: { prefix: m[1]! }, node: offsetRange(facts, at, at + m[0].length) });
        }
        return false;
      });
    }
  },
};

export default rule;
