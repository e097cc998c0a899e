import * as assert from 'assert';
import * as path from 'path';
import { fileUri, LspClient } from './helpers/lspClient';
import { annotationProblems, PROJECTS_DIR, projectFiles, projectNames } from './helpers/projects';

// The layered fixture projects through the real protocol: the server spawned over stdio with the
// project as its workspace folder (it indexes the project itself), each file opened and its pull
// diagnostics compared with the annotations. The server indexes in the background, so a file is
// asked again (up to a deadline) until its diagnostics settle on the annotations.

const SETTLE_MS = 30_000;

describe('layered fixture projects over LSP (server spawned over stdio)', function () {
  this.timeout(180_000);

  for (const name of projectNames()) {
    it(name, async () => {
      const root = path.join(PROJECTS_DIR, name);
      const client = await LspClient.start({ folders: [root], settings: { debounceMs: 0 } });
      try {
        const problems: string[] = [];
        for (const file of projectFiles(name)) {
          const uri = fileUri(file.abs);
          client.open(uri, file.text);
          const deadline = Date.now() + SETTLE_MS;
          let last: string[] = [];
          for (;;) {
            const diagnostics = await client.diagnostics(uri);
            last = annotationProblems(file, diagnostics.map((d) => ({ line: d.range.start.line, rule: String(d.code), message: d.message })));
            if (last.length === 0 || Date.now() > deadline) break;
            await new Promise((r) => setTimeout(r, 250));
          }
          problems.push(...last);
          client.close(uri);
        }
        assert.deepStrictEqual(problems, []);
        if (name === 'xmod_ownership') await assertRemoteEvidence(client, root);
        assert.ok(client.alive);
      } finally {
        await client.stop();
      }
    });
  }
});

/** DG101's message names the ownership evidence of another module, as the server's own index finds it. */
async function assertRemoteEvidence(client: LspClient, root: string): Promise<void> {
  const desk = projectFiles('xmod_ownership').find((f) => f.rel === 'helpdesk/desk.py')!;
  const uri = fileUri(path.join(root, desk.rel));
  client.open(uri, desk.text);
  const deadline = Date.now() + SETTLE_MS;
  let messages: string[] = [];
  for (;;) {
    messages = (await client.diagnostics(uri)).filter((d) => String(d.code) === 'DG101').map((d) => d.message);
    if ((messages.length === 3 && messages.every((m) => /Items of `cases` are written with `owner = user\["sub"\]` at intake\.py:\d+\.$/.test(m))) || Date.now() > deadline) break;
    await new Promise((r) => setTimeout(r, 250));
  }
  client.close(uri);
  assert.strictEqual(messages.length, 3, messages.join('\n'));
  for (const m of messages) assert.match(m, /Items of `cases` are written with `owner = user\["sub"\]` at intake\.py:\d+\.$/);
}
