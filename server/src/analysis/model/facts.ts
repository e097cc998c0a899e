import type { PyDocument } from '../parse/document';

/** Everything the rules read about one file; computed once per analysis and shared by all rules. */
export interface FileFacts {
  doc: PyDocument;
}
