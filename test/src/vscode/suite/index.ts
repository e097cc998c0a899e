// Entry point VS Code's extension host calls (--extensionTestsPath): runs suite/*.test.js with mocha.

import * as fs from 'fs';
import * as path from 'path';
import type MochaType = require('mocha');

// mocha 12's package entry is ES modules; its CommonJS build loads in any Electron's Node.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Mocha = require('mocha/lib/mocha.cjs') as typeof MochaType;

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 60000, color: true, reporter: 'spec' });
  for (const file of fs.readdirSync(__dirname).filter((f) => f.endsWith('.test.js')).sort()) {
    mocha.addFile(path.join(__dirname, file));
  }
  return new Promise((resolve, reject) => {
    mocha.run((failures) => (failures > 0 ? reject(new Error(`${failures} integration test(s) failed`)) : resolve()));
  });
}
