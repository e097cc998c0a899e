// The analyzer's public vocabulary. Deliberately LSP-shaped (0-based lines, UTF-16 columns) so
// the server can pass ranges through untouched, but free of any LSP import so the CLI shares it.

export type Severity = 'error' | 'warning' | 'info' | 'hint';

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based column in UTF-16 code units (what LSP and JS strings use). */
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

export interface TextEdit {
  range: Range;
  newText: string;
}

export interface Fix {
  title: string;
  edits: TextEdit[];
  /** Shown first in the lightbulb; at most one per finding. */
  isPreferred: boolean;
  /** Applied by "fix all" (source.fixAll.dynamoGuard); unsafe fixes need a human to look. */
  safe: boolean;
}

export interface RelatedLocation {
  range: Range;
  message: string;
  /**
   * Absolute path of the file `range` is in, when it is not the finding's own file (a layer in
   * another module). Absent: the finding's file.
   */
  path?: string;
}

export interface Finding {
  rule: string;
  name: string;
  severity: Severity;
  message: string;
  range: Range;
  related: RelatedLocation[];
  fixes: Fix[];
  /** Notebooks: the cell (0-based, among all cells) the range is relative to (analysis/notebook.ts). */
  cell?: number;
}

export interface RuleDocs {
  whatItDoes: string;
  whyIsThisBad: string;
  example: string;
  useInstead: string;
  fixSafety: string;
  references: string[];
}

export interface RuleMeta {
  code: string;
  name: string;
  defaultSeverity: Severity;
  summary: string;
  cwe: string[];
  owasp: string[];
  fixable: boolean;
  docs: RuleDocs;
}

export interface AnalysisResult {
  findings: Finding[];
  /** Set when the file could not be analysed at all (too large, binary...). */
  skipped?: string;
  lines: number;
  /** Findings left out by the per-line / per-file caps (MAX_FINDINGS_PER_LINE, _PER_FILE). */
  truncated?: number;
  /**
   * The file was analysed, but not all of it: a function went over the analysis budget. Its
   * findings are those of the rest of the file; the CLI lists these under `errors`.
   */
  errors?: string[];
  /** Interpreter steps spent (the budget's unit): a size-independent measure of work for tests and benchmarks. */
  work?: number;
}
