const fs = require('fs');
async function t(mod, text, n) {
  const { Analyzer } = require(mod);
  const a = await Analyzer.create();
  for (let i = 0; i < 5; i++) a.analyzeText(text);
  const s = process.hrtime.bigint();
  for (let i = 0; i < n; i++) a.analyzeText(text + `\n# ${i}\n`);
  return Number(process.hrtime.bigint() - s) / 1e6 / n;
}
(async () => {
  const text = fs.readFileSync('bench/corpus/big_3000.py', 'utf8');
  console.log('base ms', (await t('/work/main/.tmpbase/out/analysis/analyzer.js', text, 20)).toFixed(1));
  console.log('new  ms', (await t('/work/main/server/out/analysis/analyzer.js', text, 20)).toFixed(1));
})();
