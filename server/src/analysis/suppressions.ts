// `# dynamo-guard: ignore[DG101,DG201]`, `# dynamo-guard: ignore`, `# noqa: DG101` (Ruff's habit;
// a bare `# noqa` is deliberately NOT honoured, as Ruff does for its own codes, because flake8 users
// sprinkle it for unrelated reasons) and the file-level `# dynamo-guard: ignore-file`.

const LINE_RE = /#\s*dynamo-guard:\s*ignore(?!-file)(?:\[([A-Za-z0-9_,\s]*)\])?/;
const NOQA_RE = /#\s*noqa:\s*([A-Z]+[0-9]+(?:\s*,\s*[A-Z]+[0-9]+)*)/i;
const FILE_RE = /^\s*#\s*dynamo-guard:\s*ignore-file\b/m;

export interface Suppressions {
  file: boolean;
  /** line -> codes (an empty set means every code). */
  lines: Map<number, Set<string>>;
}

export function parseSuppressions(text: string): Suppressions {
  const lines = new Map<number, Set<string>>();
  const file = FILE_RE.test(text);
  if (!text.includes('#')) return { file, lines };
  const all = text.split('\n');
  for (let i = 0; i < all.length; i++) {
    const line = all[i]!;
    if (!line.includes('#')) continue;
    const m = LINE_RE.exec(line);
    if (m) {
      const codes = (m[1] ?? '').split(',').map((c) => c.trim().toUpperCase()).filter(Boolean);
      lines.set(i, new Set(codes));
      continue;
    }
    const n = NOQA_RE.exec(line);
    if (n) {
      const codes = n[1]!.split(',').map((c) => c.trim().toUpperCase()).filter((c) => c.startsWith('DG'));
      if (codes.length) lines.set(i, new Set(codes));
    }
  }
  return { file, lines };
}

export function isSuppressed(s: Suppressions, line: number, code: string): boolean {
  if (s.file) return true;
  const codes = s.lines.get(line);
  return !!codes && (codes.size === 0 || codes.has(code));
}

/**
 * The text of `line` with `code` added to its suppression comment (creating one in `style` if
 * the line has none: `# dynamo-guard: ignore[...]`, or `# noqa: ...` for teams that keep one
 * habit across linters). Returns undefined when the line already suppresses the code.
 */
export function withSuppression(line: string, code: string, style: 'dynamo-guard' | 'noqa' = 'dynamo-guard'): string | undefined {
  const m = LINE_RE.exec(line);
  if (m) {
    const codes = (m[1] ?? '').split(',').map((c) => c.trim()).filter(Boolean);
    if (m[1] === undefined || codes.includes(code)) return undefined;
    codes.push(code);
    return line.slice(0, m.index) + `# dynamo-guard: ignore[${codes.join(',')}]` + line.slice(m.index + m[0].length);
  }
  const n = NOQA_RE.exec(line);
  if (n) {
    const codes = n[1]!.split(',').map((c) => c.trim());
    if (codes.some((c) => c.toUpperCase() === code)) return undefined;
    return line.slice(0, n.index) + `# noqa: ${[...codes, code].join(', ')}` + line.slice(n.index + n[0].length);
  }
  const trimmed = line.replace(/\s+$/, '');
  return style === 'noqa' ? `${trimmed}  # noqa: ${code}` : `${trimmed}  # dynamo-guard: ignore[${code}]`;
}
