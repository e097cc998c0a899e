// Unified diffs of fixed files (`--diff`), in the `a/` `b/` form `git apply` and `patch -p1` take.

import { createTwoFilesPatch, FILE_HEADERS_ONLY } from 'diff';

/** Empty when nothing changed. `name` is the path shown in the headers (relative, `/` separators). */
export function unifiedDiff(name: string, before: string, after: string): string {
  if (before === after) return '';
  return createTwoFilesPatch(`a/${name}`, `b/${name}`, before, after, undefined, undefined, { headerOptions: FILE_HEADERS_ONLY });
}
