import * as assert from 'assert';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

// Cross-file knowledge through the CLI's two-pass scan: an auth function whose name matches no
// pattern and a guard helper, both imported from another module, must be understood.

const repo = path.join(__dirname, '..', '..');
const bin = path.join(repo, 'bin', 'dynamo-guard.js');

const AUTH = `
import jwt
from fastapi import Header, HTTPException

def who_is_calling(authorization: str = Header(...)) -> dict:
    try:
        return jwt.decode(authorization.split()[1], "k", algorithms=["HS256"])
    except Exception:
        raise HTTPException(status_code=401)

def must_own(resource_owner: str, caller: dict) -> None:
    if resource_owner != caller["sub"]:
        raise HTTPException(status_code=403)
`;

const MAIN = `
import boto3
from fastapi import Depends, FastAPI
from app.security import must_own, who_is_calling

app = FastAPI()
notes = boto3.resource("dynamodb").Table("notes")

@app.get("/users/{user_id}/notes/{note_id}")
def read_note(user_id: str, note_id: str, caller: dict = Depends(who_is_calling)):
    must_own(user_id, caller)
    return notes.get_item(Key={"user_id": user_id, "note_id": note_id}, ProjectionExpression="note_id, title")["Item"]

@app.delete("/users/{user_id}/notes/{note_id}")
def delete_note(user_id: str, note_id: str, caller: dict = Depends(who_is_calling)):
    notes.delete_item(Key={"user_id": user_id, "note_id": note_id}, ConditionExpression="attribute_exists(note_id)")
    return {}
`;

function scan(dir: string): Array<{ path: string; line: number; rule: string }> {
  let out: string;
  try {
    out = execFileSync(process.execPath, [bin, 'scan', '.', '--format', 'json', '--no-progress'], { cwd: dir, encoding: 'utf8' });
  } catch (e) {
    out = (e as { stdout: string }).stdout;
  }
  return (JSON.parse(out) as { findings: Array<{ path: string; line: number; rule: string }> }).findings;
}

describe('workspace index (cross-file)', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-ws-'));
    fs.mkdirSync(path.join(dir, 'app'));
    fs.writeFileSync(path.join(dir, 'app', '__init__.py'), '');
    fs.writeFileSync(path.join(dir, 'app', 'security.py'), AUTH);
    fs.writeFileSync(path.join(dir, 'app', 'main.py'), MAIN);
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('recognises an imported auth function (no DG102) and an imported guard helper (no DG101)', () => {
    const findings = scan(dir).filter((f) => f.path === 'app/main.py');
    assert.ok(!findings.some((f) => f.rule === 'DG102'), `unexpected DG102: ${JSON.stringify(findings)}`);
    assert.ok(!findings.some((f) => f.rule === 'DG101' && f.line === 12), `guarded read flagged: ${JSON.stringify(findings)}`);
    // ...while the unguarded delete right below is still reported.
    assert.ok(findings.some((f) => f.rule === 'DG101' && f.line === 16), `unguarded delete not flagged: ${JSON.stringify(findings)}`);
  });

  it('the same file alone (no index) cannot see the helper: DG101 on the guarded read', () => {
    const alone = fs.mkdtempSync(path.join(os.tmpdir(), 'dg-ws1-'));
    try {
      fs.writeFileSync(path.join(alone, 'main.py'), MAIN);
      const findings = scan(alone);
      assert.ok(findings.some((f) => f.rule === 'DG101' && f.line === 12), JSON.stringify(findings));
    } finally {
      fs.rmSync(alone, { recursive: true, force: true });
    }
  });
});
