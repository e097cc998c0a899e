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
  let text: string;
  try {
    text = decoder.decode(bytes);
  } catch {
    return { ok: false, message: 'not valid UTF-8 (DynamoGuard reads Python source as UTF-8, PEP 3120); skipped' };
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { ok: true, text };
}

/** The same checks for text that is already decoded (an editor buffer). */
export function checkText(text: string, maxFileSizeKb: number): string | undefined {
  if (maxFileSizeKb > 0 && text.length > maxFileSizeKb * 1024) {
    return `file is over the ${maxFileSizeKb} KB limit (dynamoGuard.maxFileSizeKb); not analysed`;
  }
  if (text.includes('\u0000')) return 'binary content (NUL characters); not analysed';
  return undefined;
}
