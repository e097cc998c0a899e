#!/usr/bin/env node
'use strict';
// Editor latency, measured the way an editor sees it: the language server is spawned over stdio
// (`server/out/server.js --stdio`) and driven with real LSP messages.
//
// Files: `bench/corpus/big_3000.py` (FastAPI handlers, helper classes) followed by generated
// repository classes (`self.table` set in `__init__`, get/query/put/update/delete methods, a route
// using each class), cut to 3,700 and 10,000 lines. Edits are one-character inserts (then the
// matching delete) inside string literals and identifiers of handler bodies AND of class
// methods, spread over the file by a seeded PRNG.
//
// Scenarios, per file:
//   edit     debounce 0: didChange + textDocument/diagnostic, time until the answer, per edit
//            (median / p95 over --iterations edits). Targets 3.7k: 5 / 15 ms; 10k: 15 / 40 ms.
//            Also the server's own CPU time per edit (Linux), steadier than wall time under load.
//   typing   default debounce (200 ms): 50 keystrokes 25 ms apart at one place, then a pull:
//            time from the last keystroke to fresh diagnostics. Target <= debounce + 100 ms.
//            While typing, a code action request is timed every 5th keystroke (no request may
//            wait behind an analysis).
//   burst    debounce 0: 5,000 edits sent at once, then a pull: time from the last edit to the
//            answer, compared with one full analysis of the file (the cold open).
// `--inprocess` adds the analyzer alone (applyChanges + analyzeDocument, no transport).
// `--index-lines N` first opens the server on a workspace of N lines (copies of the generated
// corpus) and reports the time to build its workspace index and its resident memory (1M: issue 9).
// `--profile DIR` runs the server under `node --cpu-prof` and writes its .cpuprofile to DIR.
//
// Usage: node bench/latency.js [--sizes 3700,10000] [--iterations 200] [--burst 5000] [--server DIR] [--inprocess] [--profile DIR] [--index-lines N]
// --server DIR measures another build (e.g. a checkout of main) with the same files and edits.
// Measurements, never enforced: exits 0 unless the benchmark cannot run.

const fs = require('fs');
const path = require('path');
const { spawn } = require('child_process');
const { pathToFileURL } = require('url');
const { performance } = require('perf_hooks');
const { CORPUS_DIR, ROOT, environment, fmtMs, stats, table, writeResult } = require('./lib/common');
const { ensureCorpus, makeRng } = require('./gen-corpus');

const TARGETS = { 3700: { medianMs: 5, p95Ms: 15 }, 10000: { medianMs: 15, p95Ms: 40 } };
const TYPING = { keystrokes: 50, intervalMs: 25, debounceMs: 200, slackMs: 100 };

function parseArgs(argv) {
  const opts = { sizes: [3700, 10000], iterations: 200, seed: 7, server: ROOT, inprocess: false, burst: 5000 };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const next = () => argv[++i];
    if (a === '--sizes') opts.sizes = next().split(',').map(Number).filter((n) => n > 0);
    else if (a === '--iterations') opts.iterations = Number(next());
    else if (a === '--seed') opts.seed = Number(next());
    else if (a === '--server') opts.server = path.resolve(next());
    else if (a === '--inprocess') opts.inprocess = true;
    else if (a === '--burst') opts.burst = Number(next());
    else if (a === '--profile') opts.profile = path.resolve(next());
    else if (a === '--index-lines') opts.indexLines = Number(next());
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

/** A repository class over one table and a route that uses it: layered DynamoDB code. */
function repositoryBlock(i) {
  return `

class OrderRepository${i}:
    """Data access for the orders of shard ${i}."""

    def __init__(self, table_name: str = "orders_${i}") -> None:
        self.table = boto3.resource("dynamodb").Table(table_name)
        self.page_size = ${10 + (i % 40)}

    def get(self, order_id: str) -> dict:
        response = self.table.get_item(Key={"order_id": order_id})
        return response.get("Item", {})

    def list_for(self, owner_id: str, limit: int = 25) -> list:
        response = self.table.query(
            KeyConditionExpression=Key("owner_id").eq(owner_id),
            Limit=min(limit, self.page_size),
        )
        return response.get("Items", [])

    def save(self, item: dict) -> None:
        self.table.put_item(Item=item, ConditionExpression="attribute_not_exists(order_id)")

    def rename(self, order_id: str, name: str) -> None:
        self.table.update_item(
            Key={"order_id": order_id},
            UpdateExpression="SET #n = :n",
            ExpressionAttributeNames={"#n": "name"},
            ExpressionAttributeValues={":n": name},
        )

    def remove(self, order_id: str) -> None:
        self.table.delete_item(Key={"order_id": order_id})


@router.get("/shard${i}/orders/{order_id}")
def get_shard_order_${i}(order_id: str, current_user: dict = Depends(get_current_user)):
    repository = OrderRepository${i}()
    order = repository.get(order_id)
    if order.get("owner_id") != current_user["sub"]:
        raise HTTPException(status_code=404)
    return {"order_id": order_id, "status": order.get("status")}
`;
}

function makeFile(lines) {
  const big = path.join(CORPUS_DIR, 'big_3000.py');
  if (!fs.existsSync(big)) ensureCorpus();
  let text = fs.readFileSync(big, 'utf8');
  for (let i = 0; text.split('\n').length < lines; i++) text += repositoryBlock(i);
  const cut = text.split('\n').slice(0, lines);
  // Never end inside a class: drop a trailing partial block.
  while (cut.length && /^\s/.test(cut[cut.length - 1])) cut.pop();
  const file = path.join(CORPUS_DIR, `latency_${lines}.py`);
  fs.writeFileSync(file, cut.join('\n') + '\n');
  return file;
}

/** Places to type at: inside strings and identifiers of function and method bodies. */
function editSites(text) {
  const lines = text.split('\n');
  const fns = [];
  for (let i = 0; i < lines.length; i++) {
    const def = /^(\s*)(async )?def (\w+)\(/.exec(lines[i]);
    if (!def) continue;
    const indent = def[1].length;
    const kind = indent === 0 ? 'function' : 'method';
    const sites = [];
    for (let j = i + 1; j < lines.length; j++) {
      const line = lines[j];
      if (line.trim() === '') continue;
      const lead = /^\s*/.exec(line)[0].length;
      if (lead <= indent) break;
      if (/^\s*(async )?def /.test(line)) break;
      const str = /"([A-Za-z_][^"]{2,})"/.exec(line);
      if (str) sites.push({ line: j, character: str.index + 2 });
      const ident = /^(\s+)([A-Za-z_][A-Za-z0-9_]{3,})/.exec(line);
      if (ident && !/^(return|raise|if|for|while|try|except|with|else|elif|self)$/.test(ident[2])) {
        sites.push({ line: j, character: ident[1].length + Math.floor(ident[2].length / 2) });
      }
    }
    if (sites.length) fns.push({ name: def[3], kind, sites });
  }
  return fns;
}

function* edits(fns, rng) {
  const chars = 'abcdefghijklmnopqrstuvwxyz';
  for (;;) {
    const fn = fns[rng.int(0, fns.length - 1)];
    const at = rng.pick(fn.sites);
    const pos = { line: at.line, character: at.character };
    yield { change: { range: { start: pos, end: pos }, text: rng.pick(chars) }, kind: fn.kind };
    yield { change: { range: { start: pos, end: { line: pos.line, character: pos.character + 1 } }, text: '' }, kind: fn.kind };
  }
}

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * CPU milliseconds a process has used (Linux /proc; undefined elsewhere). On a shared machine
 * wall times swing with the load; the server's own CPU per edit is the steadier figure.
 */
function cpuMs(pid) {
  try {
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').replace(/^.*\) /, '').split(' ');
    // utime and stime (fields 14 and 15 of the full line) in clock ticks, 100 per second on Linux.
    return (Number(fields[11]) + Number(fields[12])) * 10;
  } catch {
    return undefined;
  }
}

/** A bare LSP client over stdio (vscode-jsonrpc), answering configuration with `settings`. */
async function startServer(serverRoot, settings, profileDir, folder) {
  const rpc = require(path.join(ROOT, 'node_modules', 'vscode-jsonrpc', 'node'));
  const nodeArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];
  const proc = spawn(process.execPath, [...nodeArgs, path.join(serverRoot, 'server', 'out', 'server.js'), '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
  let stderr = '';
  proc.stderr.on('data', (d) => (stderr += d));
  const conn = rpc.createMessageConnection(new rpc.StreamMessageReader(proc.stdout), new rpc.StreamMessageWriter(proc.stdin));
  conn.onRequest((method, params) => (method === 'workspace/configuration' ? params.items.map(() => settings) : null));
  conn.onNotification(() => undefined);
  conn.listen();
  await conn.sendRequest('initialize', {
    processId: process.pid,
    rootUri: folder ? pathToFileURL(folder).toString() : null,
    workspaceFolders: folder ? [{ uri: pathToFileURL(folder).toString(), name: path.basename(folder) }] : null,
    capabilities: {
      workspace: { configuration: true, didChangeConfiguration: { dynamicRegistration: false }, diagnostics: { refreshSupport: false } },
      textDocument: { diagnostic: { dynamicRegistration: false }, synchronization: { didSave: true } },
    },
  });
  await conn.sendNotification('initialized', {});
  return {
    conn,
    settings,
    async stop() {
      await Promise.race([conn.sendRequest('shutdown'), delay(3000)]);
      const exited = new Promise((resolve) => proc.once('exit', resolve));
      await conn.sendNotification('exit');
      // A profiled server writes its profile while exiting: give it time before the kill.
      await Promise.race([exited, delay(profileDir ? 10000 : 100)]);
      proc.kill();
      conn.dispose();
    },
    stderr: () => stderr,
    cpuMs: () => cpuMs(proc.pid),
    pid: proc.pid,
  };
}

async function lspScenarios(serverRoot, file, opts) {
  const text = fs.readFileSync(file, 'utf8');
  const uri = pathToFileURL(file).toString();
  const fns = editSites(text);
  const rng = makeRng(opts.seed);
  const seq = edits(fns, rng);
  const settings = { debounceMs: 0 };
  const server = await startServer(serverRoot, settings, opts.profile);
  const { conn } = server;
  let version = 1;
  let resultId;
  const pull = async () => {
    const r = await conn.sendRequest('textDocument/diagnostic', { textDocument: { uri }, ...(resultId ? { previousResultId: resultId } : {}) });
    resultId = r.resultId;
    return r;
  };
  const change = (c) => conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [c] });

  let t0 = performance.now();
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version, text } });
  const first = await pull();
  const openMs = performance.now() - t0;
  const findings = first.items.length;

  // edit: one-character changes, each followed by a pull.
  for (let i = 0; i < 20; i++) {
    await change(seq.next().value.change);
    await pull();
  }
  const samples = [];
  const byKind = { function: [], method: [] };
  const cpu0 = server.cpuMs();
  for (let i = 0; i < opts.iterations; i++) {
    const e = seq.next().value;
    t0 = performance.now();
    await change(e.change);
    await pull();
    const dt = performance.now() - t0;
    samples.push(dt);
    byKind[e.kind].push(dt);
  }
  const cpu1 = server.cpuMs();
  const editCpuMs = cpu0 === undefined || cpu1 === undefined ? undefined : (cpu1 - cpu0) / opts.iterations;

  // burst: 5,000 edits, then one pull.
  for (let i = 0; i < opts.burst; i++) void change(seq.next().value.change);
  t0 = performance.now();
  await pull();
  const burstMs = performance.now() - t0;

  // typing: default debounce, 50 keystrokes at one place, code actions timed meanwhile.
  Object.assign(settings, { debounceMs: TYPING.debounceMs });
  await conn.sendNotification('workspace/didChangeConfiguration', { settings: { dynamoGuard: settings } });
  await pull();
  const site = fns.find((f) => f.kind === 'method').sites[0];
  const requestMs = [];
  for (let k = 0; k < TYPING.keystrokes; k++) {
    const pos = { line: site.line, character: site.character + k };
    await change({ range: { start: pos, end: pos }, text: 'x' });
    if (k % 5 === 4) {
      const r0 = performance.now();
      await conn.sendRequest('textDocument/codeAction', { textDocument: { uri }, range: { start: pos, end: pos }, context: { diagnostics: [] } });
      requestMs.push(performance.now() - r0);
    }
    await delay(TYPING.intervalMs);
  }
  const lastKey = performance.now() - TYPING.intervalMs;
  await pull();
  const typingMs = performance.now() - lastKey;

  await server.stop();
  return { lines: text.split('\n').length - 1, functions: fns.length, findings, openMs, editCpuMs, edit: { ...stats(samples), function: stats(byKind.function), method: stats(byKind.method) }, burstMs, typingMs, typingRequests: stats(requestMs) };
}

/** A workspace of about `lines` lines: copies of the generated app corpus (bench/gen-corpus.js). */
function makeWorkspace(lines) {
  const app = path.join(CORPUS_DIR, 'app');
  if (!fs.existsSync(app)) ensureCorpus();
  const dir = path.join(CORPUS_DIR, `index_${lines}`);
  const countLines = (d) => fs.readdirSync(d, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith('.py'))
    .reduce((n, e) => n + fs.readFileSync(path.join(e.parentPath ?? e.path, e.name), 'utf8').split('\n').length - 1, 0);
  const perCopy = countLines(app);
  const copies = Math.ceil(lines / perCopy);
  if (!fs.existsSync(path.join(dir, `copy${copies - 1}`))) {
    fs.rmSync(dir, { recursive: true, force: true });
    for (let i = 0; i < copies; i++) fs.cpSync(app, path.join(dir, `copy${i}`), { recursive: true });
  }
  return { dir, lines: perCopy * copies };
}

/** Resident memory of a process in MB (Linux /proc): now and at its peak. */
function rssMb(pid) {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(status)?.[1]) / 1024;
    return { rss: kb('VmRSS'), peak: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

/**
 * index: the server opened on a workspace of --index-lines lines; time until its workspace index
 * is built (polled through dynamoGuard/debugInfo) and the server's resident memory then (and at
 * its peak), with one file of the workspace open and analysed.
 */
async function indexScenario(serverRoot, lines) {
  const ws = makeWorkspace(lines);
  const t0 = performance.now();
  const server = await startServer(serverRoot, {}, undefined, ws.dir);
  const { conn } = server;
  const before = rssMb(server.pid);
  let state;
  for (;;) {
    await delay(500);
    state = (await conn.sendRequest('dynamoGuard/debugInfo')).index;
    if (!state.building && state.modules > 0) break;
    if (performance.now() - t0 > 30 * 60 * 1000) throw new Error('index not built within 30 minutes');
  }
  const buildMs = performance.now() - t0;
  const file = fs.readdirSync(path.join(ws.dir, 'copy0'), { recursive: true }).find((f) => String(f).endsWith('.py'));
  const uri = pathToFileURL(path.join(ws.dir, 'copy0', String(file))).toString();
  const text = fs.readFileSync(path.join(ws.dir, 'copy0', String(file)), 'utf8');
  await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'python', version: 1, text } });
  await conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } });
  const after = rssMb(server.pid);
  await server.stop();
  return { lines: ws.lines, modules: state.modules, buildMs, startRssMb: before?.rss, rssMb: after?.rss, peakRssMb: after?.peak };
}

async function inProcess(file, opts) {
  const { Analyzer, DEFAULT_SETTINGS } = require(path.join(opts.server, 'server', 'out', 'analysis', 'index.js'));
  const text = fs.readFileSync(file, 'utf8');
  const analyzer = await Analyzer.create();
  const doc = analyzer.createDocument(text);
  const o = { settings: DEFAULT_SETTINGS, path: file };
  analyzer.analyzeDocument(doc, o);
  const seq = edits(editSites(text), makeRng(opts.seed));
  const samples = [];
  for (let i = 0; i < opts.iterations + 20; i++) {
    const t0 = performance.now();
    doc.applyChanges([seq.next().value.change]);
    analyzer.analyzeDocument(doc, o);
    if (i >= 20) samples.push(performance.now() - t0);
  }
  doc.dispose();
  return stats(samples);
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  const results = [];
  if (opts.indexLines) {
    const r = await indexScenario(opts.server, opts.indexLines);
    results.push({ index: r });
    console.log(`\nindex: ${r.lines} lines, ${r.modules} modules indexed in ${fmtMs(r.buildMs)} ms; server RSS ${r.rssMb?.toFixed(0)} MB (peak ${r.peakRssMb?.toFixed(0)} MB, ${r.startRssMb?.toFixed(0)} MB at start)`);
  }
  for (const size of opts.sizes) {
    const file = makeFile(size);
    const r = await lspScenarios(opts.server, file, opts);
    if (opts.inprocess) r.inprocess = await inProcess(file, opts);
    r.target = TARGETS[size];
    results.push(r);
    const row = (name, s) => [name, s.n, fmtMs(s.median), fmtMs(s.p95), fmtMs(s.max)];
    console.log(`\n${path.relative(process.cwd(), file)}: ${r.lines} lines, ${r.functions} functions/methods, ${r.findings} findings; open + first pull ${fmtMs(r.openMs)} ms`);
    const rows = [row('edit + pull (debounce 0)', r.edit), row('  in a function', r.edit.function), row('  in a method', r.edit.method), row('code action while typing', r.typingRequests)];
    if (r.inprocess) rows.push(row('analyzer only (in process)', r.inprocess));
    console.log(table(['', 'n', 'median ms', 'p95 ms', 'max ms'], rows));
    if (r.editCpuMs !== undefined) console.log(`server CPU per edit + pull (mean): ${fmtMs(r.editCpuMs)} ms`);
    if (r.target) console.log(`target median <= ${r.target.medianMs} ms, p95 <= ${r.target.p95Ms} ms: ${r.edit.median <= r.target.medianMs && r.edit.p95 <= r.target.p95Ms ? 'PASS' : 'FAIL'}`);
    console.log(`typing: ${TYPING.keystrokes} keystrokes ${TYPING.intervalMs} ms apart, diagnostics ${fmtMs(r.typingMs)} ms after the last (target <= ${TYPING.debounceMs + TYPING.slackMs}): ${r.typingMs <= TYPING.debounceMs + TYPING.slackMs ? 'PASS' : 'FAIL'}`);
    console.log(`burst: ${opts.burst} edits, next pull answered ${fmtMs(r.burstMs)} ms after the last (one full analysis: ${fmtMs(r.openMs)} ms; ratio ${(r.burstMs / r.openMs).toFixed(2)})`);
  }
  const out = writeResult('latency.json', { benchmark: 'latency', environment: environment(), server: opts.server, results });
  console.log(`\nwritten ${out}`);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(`latency: ${e && e.stack ? e.stack : e}`);
    process.exit(1);
  });
}

module.exports = { editSites, makeFile };
