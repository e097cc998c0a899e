import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { parseReport, runCli } from './helpers/cliTree';
import { fileUri, LspClient } from './helpers/lspClient';
import { PROJECTS_DIR } from './helpers/projects';

// Related information of a layered finding points into the files of the layers: the editor gets
// each hop's own document URI, the CLI's JSON and SARIF the hop's own path. The project: a FastAPI
// route calling a service whose repository (and its table) came in through constructors.

const ROOT = path.join(PROJECTS_DIR, 'fastapi_injected');
const REPOSITORY = path.join(ROOT, 'helpdesk', 'repositories.py');
const SERVICES = path.join(ROOT, 'helpdesk', 'services.py');
const ROUTES = path.join(ROOT, 'helpdesk', 'routes.py');

/** 0-based line of the first line of `file` containing `needle`. */
function lineOf(file: string, needle: string): number {
  const i = fs.readFileSync(file, 'utf8').split('\n').findIndex((l) => l.includes(needle));
  assert.ok(i >= 0, `${needle} in ${file}`);
  return i;
}

describe('related information across files (layers in other modules)', function () {
  this.timeout(120_000);
  const updateLine = lineOf(REPOSITORY, '.update_item(');
  const closeLine = lineOf(ROUTES, 'service.close(ticket_id)');

  it('CLI JSON: each related location names its own file and line', async () => {
    const result = await runCli(['scan', 'helpdesk', '--format', 'json', '--no-cache'], ROOT);
    const report = parseReport(result);
    const f = report.findings.find((x) => x.rule === 'DG101' && x.path === 'helpdesk/routes.py' && x.line === closeLine + 1);
    assert.ok(f, JSON.stringify(report.findings.map((x) => `${x.path}:${x.line} ${x.rule}`)));
    const last = f.related[f.related.length - 1]!;
    assert.strictEqual(last.path, 'helpdesk/repositories.py');
    assert.strictEqual(last.line, updateLine + 1);
    assert.match(last.message, /update_item/);
    assert.ok(f.related.some((r) => r.path === 'helpdesk/services.py' && /set_status/.test(r.message)), JSON.stringify(f.related));
    // Locations in the finding's own file say so too.
    assert.ok(f.related.some((r) => r.path === 'helpdesk/routes.py'), JSON.stringify(f.related));
  });

  it('CLI SARIF: relatedLocations point into the repository file', async () => {
    const result = await runCli(['scan', 'helpdesk', '--format', 'sarif', '--no-cache'], ROOT);
    const sarif = JSON.parse(result.stdout) as {
      runs: Array<{ results: Array<{ ruleId: string; locations: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }>; relatedLocations?: Array<{ physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } } }> }> }>;
    };
    const r = sarif.runs[0]!.results.find((x) => x.ruleId === 'DG101' && x.locations[0]!.physicalLocation.region.startLine === closeLine + 1);
    assert.ok(r?.relatedLocations, 'DG101 with related locations');
    assert.ok(r.relatedLocations.some((l) => l.physicalLocation.artifactLocation.uri === 'helpdesk/repositories.py' && l.physicalLocation.region.startLine === updateLine + 1));
  });

  it('LSP: relatedInformation carries the repository document URI', async () => {
    const client = await LspClient.start({ folders: [ROOT], settings: { debounceMs: 0 } });
    try {
      const uri = fileUri(ROUTES);
      client.open(uri, fs.readFileSync(ROUTES, 'utf8'));
      const deadline = Date.now() + 30_000;
      let related: Array<{ location: { uri: string; range: { start: { line: number } } }; message: string }> = [];
      for (;;) {
        const diagnostics = await client.diagnostics(uri);
        const d = diagnostics.find((x) => x.code === 'DG101' && x.range.start.line === closeLine);
        related = d?.relatedInformation ?? [];
        if (related.length || Date.now() > deadline) break;
        await new Promise((r) => setTimeout(r, 250));
      }
      assert.ok(related.some((r) => r.location.uri === fileUri(REPOSITORY) && r.location.range.start.line === updateLine), JSON.stringify(related));
      assert.ok(related.some((r) => r.location.uri === fileUri(SERVICES)), JSON.stringify(related));
      assert.ok(related.some((r) => r.location.uri === uri), 'the request source stays in the handler document');
    } finally {
      await client.stop();
    }
  });
});
