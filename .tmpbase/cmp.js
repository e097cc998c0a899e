const fs = require('fs'), path = require('path');
const skip = new Set(['DG103','DG104','DG105','DG203','DG401','DG405']);
async function run(mod, files) {
  const { Analyzer } = require(mod);
  const a = await Analyzer.create();
  const out = {};
  for (const f of files) {
    const r = a.analyzeText(fs.readFileSync(f, 'utf8'), { path: f });
    out[f] = r.findings.filter(x => !skip.has(x.rule)).map(x => `${x.range.start.line}:${x.range.start.character} ${x.rule} ${x.message} | ${x.fixes.map(f => f.title + JSON.stringify(f.edits)+f.safe).join(';')} | ${x.related.map(r=>r.message).join(';')}`);
  }
  return out;
}
(async () => {
  const files = process.argv.slice(2);
  const a = await run('/work/main/.tmpbase/out/analysis/analyzer.js', files);
  const b = await run('/work/main/server/out/analysis/analyzer.js', files);
  let diffs = 0;
  for (const f of files) {
    const A = new Set(a[f]), B = new Set(b[f]);
    for (const x of A) if (!B.has(x)) { diffs++; console.log('ONLY BASE', f, x.slice(0, 300)); }
    for (const x of B) if (!A.has(x)) { diffs++; console.log('ONLY NEW ', f, x.slice(0, 300)); }
  }
  console.log('files', files.length, 'diffs', diffs);
})();
