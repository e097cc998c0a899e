// Imports inserted by fixes must resolve from the project root: the DG102 fix once inserted
// `from auth import current_principal` into app/routes/orders.py where the module is app.auth.

import * as assert from 'assert';
import * as path from 'path';
import { Analyzer, InMemoryWorkspaceIndex, applyEdits } from '../../server/out/analysis';
import { emptySummary } from '../../server/out/analysis/model/workspace';

function indexOf(root: string, files: Record<string, string[]>): InMemoryWorkspaceIndex {
  const index = new InMemoryWorkspaceIndex([root]);
  for (const [rel, auth] of Object.entries(files)) index.set(path.join(root, rel), { ...emptySummary(), authFunctions: auth });
  return index;
}

describe('imports inserted by fixes resolve from the project root', () => {
  const root = path.resolve('/proj');

  it('follows the package chain (__init__.py) above the auth module', () => {
    const index = indexOf(root, { 'app/__init__.py': [], 'app/auth.py': ['current_principal'], 'app/routes/__init__.py': [], 'app/routes/orders.py': [] });
    assert.equal(index.authModuleOf('current_principal', path.join(root, 'app/routes/orders.py')), 'app.auth');
  });

  it('names the shared folder from its parent when there are no packages', () => {
    const index = indexOf(root, { 'app/auth.py': ['current_principal'], 'app/routes/orders.py': [] });
    assert.equal(index.authModuleOf('current_principal', path.join(root, 'app/routes/orders.py')), 'app.auth');
  });

  it('keeps a sibling import for scripts run from their own folder', () => {
    const index = indexOf(root, { 'svc/auth.py': ['current_principal'], 'svc/main.py': [] });
    assert.equal(index.authModuleOf('current_principal', path.join(root, 'svc/main.py')), 'auth');
  });

  it('the DG102 fix inserts `from app.auth import ...`', async () => {
    const analyzer = await Analyzer.create();
    const index = indexOf(root, { 'app/__init__.py': [], 'app/auth.py': ['current_principal'], 'app/routes/__init__.py': [] });
    const file = path.join(root, 'app/routes/orders.py');
    const text = [
      'import boto3',
      'from fastapi import APIRouter',
      '',
      'router = APIRouter()',
      'orders = boto3.resource("dynamodb").Table("orders")',
      '',
      '',
      '@router.get("/orders/{order_id}")',
      'def read_order(order_id: str):',
      '    return orders.get_item(Key={"order_id": order_id}, ProjectionExpression="order_id")["Item"]',
      '',
    ].join('\n');
    const finding = analyzer.analyzeText(text, { path: file, workspace: index }).findings.find((f) => f.rule === 'DG102');
    assert.ok(finding, 'DG102 reported');
    const fix = finding.fixes.find((f) => f.isPreferred) ?? finding.fixes[0];
    assert.ok(fix, 'DG102 offers a fix');
    const fixed = applyEdits(text, fix.edits);
    assert.match(fixed, /^from app\.auth import current_principal$/m, fixed);
    assert.doesNotMatch(fixed, /^from auth import/m, fixed);
  });
});
