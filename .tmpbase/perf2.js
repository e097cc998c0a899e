const fs = require('fs');
(async () => {
  const text = fs.readFileSync('bench/corpus/big_3000.py', 'utf8');
  const A = await require('/work/main/.tmpbase/out/analysis/analyzer.js').Analyzer.create();
  const B = await require('/work/main/server/out/analysis/analyzer.js').Analyzer.create();
  const ta = [], tb = [];
  for (let i = 0; i < 30; i++) {
    for (const [an, arr] of [[A, ta], [B, tb]]) {
      const s = process.hrtime.bigint(); an.analyzeText(text + `\n# ${i}\n`); arr.push(Number(process.hrtime.bigint() - s) / 1e6);
    }
  }
  const med = (a) => a.sort((x, y) => x - y)[a.length >> 1].toFixed(1);
  console.log('median base', med(ta), 'new', med(tb));
})();
