// The open Python documents. The TextDocument is the source of truth for text and version; the
// PyDocument is a derived, incrementally re-parsed view of it, created lazily (an oversized or
// binary buffer is never parsed) and rebuilt whenever it cannot follow an edit.

import type {
  DidChangeTextDocumentParams,
  DidOpenTextDocumentParams,
  RemoteConsole,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import type { Analyzer, ContentChange, PyDocument } from '../analysis';
import type { DynamoGuardSettings } from '../protocol';
import { pathKey, uriToPath } from './uri';

/** Beyond this many edits between two analyses, one diff of the texts replaces the edit list. */
const MAX_PENDING = 32;

/** The single change turning `before` into `after`: the span between their common prefix and suffix. */
export function diffChange(before: string, after: string): ContentChange {
  const max = Math.min(before.length, after.length);
  let p = 0;
  while (p < max && before.charCodeAt(p) === after.charCodeAt(p)) p++;
  let s = 0;
  while (s < max - p && before.charCodeAt(before.length - 1 - s) === after.charCodeAt(after.length - 1 - s)) s++;
  return { range: { start: positionAt(before, p), end: positionAt(before, before.length - s) }, text: after.slice(p, after.length - s) };
}

function positionAt(text: string, offset: number): { line: number; character: number } {
  let line = 0;
  let lineStart = 0;
  for (let i = text.indexOf('\n'); i !== -1 && i < offset; i = text.indexOf('\n', i + 1)) {
    line++;
    lineStart = i + 1;
  }
  return { line, character: offset - lineStart };
}

export function isPythonDocument(languageId: string, uri: string): boolean {
  return languageId === 'python' || /\.py$/i.test(uri);
}

export class OpenDocument {
  /** Incremental parse of `text`; undefined until first needed or after it was dropped. */
  py: PyDocument | undefined;
  /** Settings used by the latest analysis (run mode and debounce are read from here synchronously). */
  settings: DynamoGuardSettings | undefined;
  readonly path: string | undefined;
  /**
   * Edits received since `py` was last brought up to date, in order; undefined once more than
   * MAX_PENDING arrived (the parse then catches up with one diff of the texts instead).
   */
  pending: ContentChange[] | undefined = [];

  constructor(public text: TextDocument) {
    this.path = uriToPath(text.uri);
  }

  get uri(): string {
    return this.text.uri;
  }

  get version(): number {
    return this.text.version;
  }

  dropParse(): void {
    this.py?.dispose();
    this.py = undefined;
    this.pending = [];
  }
}

export class DocumentStore {
  private readonly docs = new Map<string, OpenDocument>();

  constructor(
    private readonly analyzer: Analyzer,
    private readonly console: RemoteConsole,
  ) {}

  get(uri: string): OpenDocument | undefined {
    return this.docs.get(uri);
  }

  all(): OpenDocument[] {
    return [...this.docs.values()];
  }

  /** The open document for a file path, whatever URI spelling the editor used. */
  byPath(p: string): OpenDocument | undefined {
    const key = pathKey(p);
    for (const doc of this.docs.values()) if (doc.path !== undefined && pathKey(doc.path) === key) return doc;
    return undefined;
  }

  /** Undefined when the document is not Python (we ignore it entirely). */
  open(params: DidOpenTextDocumentParams): OpenDocument | undefined {
    const { uri, languageId, version, text } = params.textDocument;
    if (!isPythonDocument(languageId, uri)) return undefined;
    this.docs.get(uri)?.dropParse();
    const doc = new OpenDocument(TextDocument.create(uri, languageId, version, text));
    this.docs.set(uri, doc);
    return doc;
  }

  /**
   * Record an edit. Nothing is parsed here: a burst of keystrokes costs a text update each, and
   * the parse catches up once, when the next analysis needs it (`parse`).
   */
  change(params: DidChangeTextDocumentParams): OpenDocument | undefined {
    const doc = this.docs.get(params.textDocument.uri);
    if (!doc) return undefined;
    doc.text = TextDocument.update(doc.text, params.contentChanges, params.textDocument.version);
    if (doc.py && doc.pending) {
      doc.pending.push(...params.contentChanges);
      if (doc.pending.length > MAX_PENDING) doc.pending = undefined;
    }
    return doc;
  }

  /** A document we are handed whole, not edited by the client (a notebook's cells as one module). */
  openVirtual(uri: string, version: number, text: string): OpenDocument {
    this.docs.get(uri)?.dropParse();
    const doc = new OpenDocument(TextDocument.create(uri, 'python', version, text));
    this.docs.set(uri, doc);
    return doc;
  }

  /** New whole text for a virtual document; the parse follows the one changed span. */
  replaceText(doc: OpenDocument, version: number, text: string): OpenDocument {
    const before = doc.text.getText();
    if (before === text) {
      doc.text = TextDocument.update(doc.text, [], version);
      return doc;
    }
    return this.change({ textDocument: { uri: doc.uri, version }, contentChanges: [diffChange(before, text)] }) ?? doc;
  }

  close(uri: string): OpenDocument | undefined {
    const doc = this.docs.get(uri);
    if (!doc) return undefined;
    doc.dropParse();
    this.docs.delete(uri);
    return doc;
  }

  /** The parse of `doc`, created on demand. Throws if tree-sitter cannot parse at all. */
  parse(doc: OpenDocument): PyDocument {
    const text = doc.text.getText();
    if (doc.py && doc.py.text !== text) {
      try {
        doc.py.applyChanges(doc.pending ?? [diffChange(doc.py.text, text)]);
        // Both sides clamp out-of-range positions in their own way; a mismatch would silently
        // put every later finding on the wrong line, so start over from the authoritative text.
        if (doc.py.text !== text) {
          this.console.warn(`DynamoGuard: incremental parse of ${doc.uri} diverged from the editor text; re-parsing`);
          doc.dropParse();
        }
      } catch (e) {
        this.console.warn(`DynamoGuard: incremental parse of ${doc.uri} failed (${String((e as Error)?.message ?? e)}); re-parsing`);
        doc.dropParse();
      }
    }
    doc.pending = [];
    doc.py ??= this.analyzer.createDocument(text);
    return doc.py;
  }

  dispose(): void {
    for (const doc of this.docs.values()) doc.dropParse();
    this.docs.clear();
  }
}
