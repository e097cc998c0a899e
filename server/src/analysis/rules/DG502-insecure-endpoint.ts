import { textOf } from '../model/module';
import { field, rangeOf, visit, type SyntaxNode } from '../parse/syntax';
import { awsCalls, isLocalEndpoint, literalOf } from './support/awsClients';
import type { RuleModule } from './rule';

function plainHttp(url: string | undefined): boolean {
  return url !== undefined && /^http:\/\//i.test(url.trim()) && !isLocalEndpoint(url);
}

function hostOf(url: string): string {
  return url.trim().replace(/^http:\/\/(?:[^@/]*@)?/i, '').replace(/[/?#].*$/, '');
}

const rule: RuleModule = {
  meta: {
    code: 'DG502',
    name: 'insecure-endpoint',
    defaultSeverity: 'warning',
    summary: 'An AWS client talks to DynamoDB without TLS (plain http:// endpoint, verify=False or use_ssl=False).',
    cwe: ['CWE-319', 'CWE-295'],
    owasp: ['API8:2023 Security Misconfiguration'],
    fixable: false,
    docs: {
      whatItDoes: 'Flags, in AWS SDK constructors (`boto3.client/resource`, `<session>.client/resource(...)`, aioboto3/aiobotocore equivalents): an `endpoint_url` whose literal value (also through a variable assigned a literal, or the default of `os.getenv`) starts with `http://` and names a host other than the local machine; `verify=False`; `use_ssl=False`. Also a PynamoDB `Meta.host` with such a URL, and `os.environ["AWS_ENDPOINT_URL..."]` set to one. Local endpoints are not reported, since that traffic never leaves the machine: `localhost`, `*.localhost`, `127.0.0.0/8`, `::1`, `0.0.0.0`, `host.docker.internal` (the Docker host, where DynamoDB Local usually runs) and single-label host names (docker-compose services such as `dynamodb-local` or `localstack`). Private addresses (`10.x`, `192.168.x`) are reported: the traffic crosses a network. Endpoints built at run time (`f"http://{host}"`) are not understood and not reported.',
      whyIsThisBad: 'Without TLS, requests carry item data, keys and SigV4-signed headers in clear text: anyone on the path reads the data and can replay or tamper with requests. `verify=False` keeps the encryption but accepts any certificate, so a man in the middle can impersonate DynamoDB just as easily.',
      example: 'dynamodb = boto3.resource(\n    "dynamodb",\n    endpoint_url="http://dynamo.internal.example.com:8000",\n    verify=False,\n)',
      useInstead: '# Default endpoint over HTTPS with certificate verification; pass a CA bundle if a proxy needs one.\ndynamodb = boto3.resource("dynamodb", region_name="eu-west-1")\n# Local development only:\nlocal = boto3.resource("dynamodb", endpoint_url="http://localhost:8000")',
      fixSafety: 'No automatic fix: switching to `https://` needs an endpoint that serves TLS, and the right replacement for `verify=False` is a CA bundle path (`verify="/path/ca.pem"`), which only the author knows. Where plain HTTP is deliberate (a test harness on a private network), suppress the line with a comment saying why.',
      references: ['https://boto3.amazonaws.com/v1/documentation/api/latest/reference/core/session.html#boto3.session.Session.client', 'https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/inter-network-traffic-privacy.html', 'https://cwe.mitre.org/data/definitions/319.html'],
    },
  },
  messages: {
    http: '`endpoint_url` is plain HTTP to `{{host}}`: DynamoDB requests and data cross the network unencrypted.',
    verify: '`verify=False` turns off TLS certificate verification: anyone on the network path can impersonate the endpoint.',
    useSsl: '`use_ssl=False` sends DynamoDB requests and data unencrypted.',
  },
  check(context) {
    const { facts } = context;
    const related = (lit: { node: SyntaxNode } | undefined, use: SyntaxNode) =>
      lit && !(lit.node.start >= use.start && lit.node.end <= use.end) ? { related: [{ range: rangeOf(lit.node), message: 'Value set here' }] } : {};
    for (const call of awsCalls(facts)) {
      const ep = call.kwargs.get('endpoint_url');
      const url = ep ? literalOf(facts, ep.value) : undefined;
      if (ep && url && plainHttp(url.value)) context.report({ messageId: 'http', data: { host: hostOf(url.value) }, node: ep.arg, ...related(url, ep.arg) });
      for (const [name, messageId] of [['verify', 'verify'], ['use_ssl', 'useSsl']] as const) {
        const kw = call.kwargs.get(name);
        const lit = kw ? literalOf(facts, kw.value) : undefined;
        if (kw && lit?.value === 'False') context.report({ messageId, node: kw.arg, ...related(lit, kw.arg) });
      }
    }
    // PynamoDB `class Meta: host = "http://..."` and `os.environ["AWS_ENDPOINT_URL"] = "http://..."`.
    for (const unit of facts.module.units) {
      if (!/\bhost\s*=|AWS_ENDPOINT_URL/.test(unit.text)) continue;
      visit(unit.node, (n) => {
        if (n.type !== 'assignment') return undefined;
        const left = field(n, 'left');
        const right = field(n, 'right');
        if (!left || !right) return undefined;
        const lt = textOf(facts.text, left);
        const inMeta = lt === 'host' && n.parent?.parent?.parent?.type === 'class_definition' && textOf(facts.text, field(n.parent.parent.parent, 'name')!) === 'Meta';
        const envVar = /environ\[\s*["']AWS_ENDPOINT_URL\w*["']\s*\]$/.test(lt);
        if (!inMeta && !envVar) return undefined;
        const lit = literalOf(facts, right);
        if (lit && plainHttp(lit.value)) context.report({ messageId: 'http', data: { host: hostOf(lit.value) }, node: n, ...related(lit, n) });
        return undefined;
      });
    }
  },
};

export default rule;
