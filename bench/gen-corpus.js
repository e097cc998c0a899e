#!/usr/bin/env node
'use strict';
// Generates the synthetic Python corpus the benchmarks run on, deterministically (seeded PRNG):
// the same seed gives byte-identical files on every machine, so numbers from two runs compare.
//
//   bench/corpus/app/**.py   ~150 modules, >= 100k lines: FastAPI / Flask / Chalice / Lambda
//                            modules and plain Python packages. Most of the code is NOT DynamoDB
//                            (utilities, models, services, data processing), as in real projects;
//                            handlers call DynamoDB in vulnerable and in safe forms.
//   bench/corpus/big_3000.py exactly 3,000 lines, ~60 FastAPI handlers among helpers: the file
//                            the editor-latency benchmark edits.
//
// Usage: node bench/gen-corpus.js [--out DIR] [--seed N] [--files N] [--min-lines N] [--force]
//
// The generator itself is in bench/corpus-gen/: vocabulary, plain-Python and per-framework handler
// templates, module assembly, and the writer (generator.js).

const path = require('path');
const { makeRng } = require('./corpus-gen/rng');
const { ensureCorpus, DEFAULTS } = require('./corpus-gen/generator');

function parseArgs(argv) {
  const opts = { ...DEFAULTS, force: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const val = () => {
      if (i + 1 >= argv.length) throw new Error(`${a} needs a value`);
      return argv[++i];
    };
    if (a === '--out') opts.out = path.resolve(val());
    else if (a === '--seed') opts.seed = Number(val());
    else if (a === '--files') opts.files = Number(val());
    else if (a === '--min-lines') opts.minLines = Number(val());
    else if (a === '--force') opts.force = true;
    else throw new Error(`unknown argument ${a}`);
  }
  return opts;
}

module.exports = { ensureCorpus, DEFAULTS, makeRng };

if (require.main === module) {
  try {
    ensureCorpus(parseArgs(process.argv.slice(2)));
  } catch (e) {
    console.error(`gen-corpus: ${e.message}`);
    process.exit(2);
  }
}
