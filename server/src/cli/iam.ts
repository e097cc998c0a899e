// `dynamo-guard iam [PATH ...] [--format json|text]`: per deployed function, the least-privilege
// DynamoDB policy its code needs, written with the template's own references.

import * as path from 'path';
import { Analyzer } from '../analysis';
import { walkPythonFiles } from '../analysis/files';
import { modelOfRoot } from '../analysis/infra/discover';
import { leastPrivilege } from '../analysis/infra/policy';
import { analyzeFunctions } from '../analysis/infra/project';
import { refText } from '../analysis/infra/render';
import { serviceRoots } from '../analysis/infra/service';
import { EXIT_OK, UsageError } from './errors';
import type { CliIo } from './scan';

export const IAM_HELP = `Usage: dynamo-guard iam [PATH ...] [--format json|text]

Print, for every function the infrastructure code (SAM/CloudFormation, serverless.yml, Terraform,
CDK Python) deploys, the least-privilege DynamoDB policy its Python code needs: actions per table
and index ARN, written with the template's own references; a dynamodb:LeadingKeys condition only
when every key the function uses is the authenticated caller. That condition names the caller as
\${aws:PrincipalTag/sub}: it holds only when the function calls DynamoDB with per-caller credentials
(its role assumed with a session tag "sub"), so apply it together with that change.
`;

export async function runIam(argv: string[], io: CliIo): Promise<number> {
  let format: 'json' | 'text' = 'text';
  const paths: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--help' || a === '-h') {
      io.stdout.write(IAM_HELP);
      return EXIT_OK;
    }
    const f = a === '--format' ? argv[++i] : a.startsWith('--format=') ? a.slice(9) : undefined;
    if (a === '--format' || a.startsWith('--format=')) {
      if (f !== 'json' && f !== 'text') throw new UsageError(`--format must be json or text, not ${f ?? 'nothing'}`);
      format = f;
    } else if (a.startsWith('-')) throw new UsageError(`unknown option for iam: ${a}`);
    else paths.push(a);
  }
  if (paths.length === 0) paths.push('.');
  const files: string[] = [];
  for await (const file of walkPythonFiles(paths, { base: io.cwd, isExcluded: () => false, onError: () => undefined })) files.push(file);
  const analyzer = await Analyzer.create();
  const display = (abs: string) => path.relative(io.cwd, abs).split(path.sep).join('/') || '.';
  const services = serviceRoots(files).map((root) => {
    const model = modelOfRoot(root);
    const functions = analyzeFunctions(model, root, analyzer).map((a) => ({
      function: a.fn.id,
      handler: a.fn.handler ?? null,
      file: a.file ? display(a.file) : null,
      template: display(path.resolve(a.fn.loc.file)),
      line: a.fn.loc.line + 1,
      routes: a.fn.routes.map((r) => ({ method: r.method, path: r.path, authorizer: r.authorizer ?? null })),
      policy: { Version: '2012-10-17', Statement: leastPrivilege(a.needs, model) },
      unresolved: a.unresolved,
    }));
    return { root: display(root), functions, errors: model.errors.map((e) => ({ path: display(path.resolve(e.file)), message: e.message })), model };
  });
  if (format === 'json') {
    io.stdout.write(`${JSON.stringify({ services: services.map(({ model: _m, ...s }) => s) }, null, 2)}\n`);
    return EXIT_OK;
  }
  const out: string[] = [];
  for (const s of services) {
    for (const f of s.functions) {
      out.push(`${f.function} (${f.template}:${f.line})  handler ${f.handler ?? '?'}${f.file ? ` -> ${f.file}` : ' (handler file not found)'}`);
      for (const r of f.routes) out.push(`  route ${r.method} ${r.path}: ${r.authorizer ? `authorizer ${r.authorizer}` : 'NO authorizer'}`);
      if (f.policy.Statement.length === 0) out.push('  needs nothing on DynamoDB');
      for (const st of f.policy.Statement) {
        const table = s.model.tables;
        out.push(`  Allow ${st.Action.join(', ')}`);
        for (const r of st.Resource) out.push(`    on ${refText(r, table.find((t) => t.format === 'terraform' || t.format === 'cdk'))}`);
        if (st.Condition) out.push('    when dynamodb:LeadingKeys is the caller (every key the function uses is the authenticated subject; needs per-caller credentials tagged `sub`)');
      }
      for (const u of f.unresolved) out.push(`  unresolved table: ${u}`);
    }
    for (const e of s.errors) out.push(`${e.path}: error: ${e.message}`);
  }
  if (services.length === 0) out.push('no infrastructure code (SAM/CloudFormation, serverless.yml, Terraform, CDK) found near the given paths');
  io.stdout.write(`${out.join('\n')}\n`);
  return EXIT_OK;
}
