import * as fs from 'fs';
import * as path from 'path';

let cached: string | undefined;

/**
 * The product version from package.json. Looked up by walking up from this file rather than by a
 * fixed relative path, so it works from server/out/cli and from a bundled dist/ alike.
 */
export function packageVersion(): string {
  if (cached) return cached;
  // The web worker bundle has no package.json to find; scripts/bundle.mjs defines this there.
  const bundled = process.env.DYNAMO_GUARD_VERSION;
  if (bundled) return (cached = bundled);
  let dir = __dirname;
  for (;;) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'dynamo-guard' && pkg.version) return (cached = pkg.version);
    } catch {
      // no package.json here: keep climbing
    }
    const parent = path.dirname(dir);
    if (parent === dir) return (cached = '0.0.0');
    dir = parent;
  }
}
