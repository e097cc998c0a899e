// Turning bytes into analysable text. Shared by the CLI, the workspace scan and the server so a
// binary, oversized or non-UTF-8 file gets the same clear message everywhere.

export type SourceResult = { ok: true; text: string } | { ok: false; message: string };

const decoder = new TextDecoder('utf-8', { fatal: true });

export function decodeSource(bytes: Uint8Array, maxFileSizeKb: number): SourceResult {
  if (maxFileSizeKb > 0 && bytes.length > maxFileSizeKb * 1024) {
    return { ok: false, message: `file is ${Math.round(bytes.length / 1024)} KB, over the ${maxFileSizeKb} KB limit (maxFileSizeKb / max-file-size-kb); skipped` };
  }
  // A NUL byte never appears in Python source text; it is the cheapest reliable binary test.
  if (bytes.indexOf(0) !== -1) return { ok: false, message: 'binary file (contains NUL bytes); skipped' };
  const declared = declaredEncoding(bytes);
  let text: string;
  if (declared && !UTF8_NAMES.has(declared)) {
    let other: InstanceType<typeof TextDecoder>;
    try {
      other = new TextDecoder(PYTHON_CODEC_ALIASES[declared] ?? declared, { fatal: true });
    } catch {
      return { ok: false, message: `unsupported source encoding "${declared}" (PEP 263 coding line); skipped` };
    }
    try {
      text = other.decode(bytes);
    } catch {
      return { ok: false, message: `not valid ${declared} as its coding line declares (PEP 263); skipped` };
    }
  } else {
    try {
      text = decoder.decode(bytes);
    } catch {
      return { ok: false, message: 'not valid UTF-8 (DynamoGuard reads Python source as UTF-8, PEP 3120, unless a PEP 263 coding line says otherwise); skipped' };
    }
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text };
}

/** Python codec spellings the WHATWG encoding labels lack. */
const PYTHON_CODEC_ALIASES: Record<string, string> = { 'latin-1': 'latin1', latin: 'latin1', l1: 'latin1', 'iso-latin-1': 'latin1', cp819: 'latin1', sjis: 'shift-jis', 's-jis': 'shift-jis', ascii: 'latin1', 'us-ascii': 'latin1' };
const UTF8_NAMES = new Set(['utf-8', 'utf8', 'utf-8-sig', 'u8', 'utf']);
// PEP 263's own regular expression, applied to a bounded comment line.
const CODING = /^[ \t\f]*#.*?coding[:=][ \t]*([-\w.]+)/;

/** The encoding named by a PEP 263 coding comment on line 1 or 2, lower-cased, `_` as `-`. */
export function declaredEncoding(bytes: Uint8Array): string | undefined {
  // Only ASCII matters in a coding line; latin1 maps each byte to one code unit.
  let head = '';
  for (let i = 0; i < Math.min(bytes.length, 512); i++) head += String.fromCharCode(bytes[i]!);
  const lines = head.split(/\r\n|\r|\n/, 2);
  for (const [i, line] of lines.entries()) {
    const m = CODING.exec(line);
    if (m) return m[1]!.toLowerCase().replace(/_/g, '-');
    // PEP 263: the line-2 comment only counts when line 1 is a comment or blank too.
    if (i === 0 && !/^[ \t\f]*(#.*)?$/.test(line)) return undefined;
  }
  return undefined;
}

/** The same checks for text that is already decoded (an editor buffer). */
export function checkText(text: string, maxFileSizeKb: number): string | undefined {
  if (maxFileSizeKb > 0 && text.length > maxFileSizeKb * 1024) {
    return `file is over the ${maxFileSizeKb} KB limit (dynamoGuard.maxFileSizeKb); not analysed`;
  }
  if (text.includes('\u0000')) return 'binary content (NUL characters); not analysed';
  return undefined;
}
