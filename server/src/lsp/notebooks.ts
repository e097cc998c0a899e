// Jupyter notebooks over LSP 3.17 notebook synchronisation. The Python code cells of a notebook
// are analysed as one module in cell order (analysis/notebook.ts does the mapping), held as a
// virtual open document under the notebook's URI, so debounce, time slicing, settings and the
// workspace index work as for a .py file. Results go back per cell: diagnostics are pushed to
// each cell's URI (cells are not in the client's document selector, so nobody pulls them), and
// code actions asked on a cell are answered from the module with their edits moved into the cell.

import {
  NotebookCellKind,
  NotebookDocuments,
  TextDocumentEdit,
  type CodeAction,
  type CodeActionParams,
  type Connection,
  type Diagnostic,
  type NotebookDocument,
  type TextEdit,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { notebook, type NotebookModule } from '../analysis';
import { provideCodeActions, type CodeActionContext } from './codeActions';
import type { DiagnosticsEngine } from './diagnostics';
import type { DocumentStore } from './documents';

/** What we announce: Python cells of Jupyter notebooks (`notebookDocumentSync`). */
export const NOTEBOOK_SYNC = {
  notebookSelector: [{ notebook: { notebookType: 'jupyter-notebook' }, cells: [{ language: 'python' }] }],
};

interface Tracked {
  module: NotebookModule;
  /** Cell document URIs by cell index (all cells, so indexes match the notebook's). */
  cellUris: string[];
  /** Cells we published diagnostics to, so they can be cleared. */
  published: Set<string>;
}

export class NotebookSync {
  private readonly notebooks = new NotebookDocuments(TextDocument);
  private readonly tracked = new Map<string, Tracked>();

  constructor(
    private readonly connection: Connection,
    private readonly documents: DocumentStore,
    private readonly engine: DiagnosticsEngine,
    private readonly codeActions: CodeActionContext,
  ) {}

  listen(): void {
    this.notebooks.listen(this.connection);
    this.notebooks.onDidOpen((nb) => this.sync(nb, true));
    this.notebooks.onDidChange((e) => this.sync(e.notebookDocument, false));
    this.notebooks.onDidSave((nb) => {
      const doc = this.documents.get(nb.uri);
      if (doc) void this.engine.onSave(doc);
    });
    this.notebooks.onDidClose((nb) => this.close(nb.uri));
  }

  /** The notebook a cell URI belongs to (undefined: not a tracked cell). */
  isCell(uri: string): boolean {
    return this.notebooks.findNotebookDocumentForCell(uri) !== undefined;
  }

  /** Code actions asked on a cell: translated to the module and back. */
  async provideCodeActions(params: CodeActionParams): Promise<CodeAction[]> {
    const nb = this.notebooks.findNotebookDocumentForCell(params.textDocument.uri);
    const tracked = nb && this.tracked.get(nb.uri);
    if (!nb || !tracked) return [];
    const cell = tracked.cellUris.indexOf(params.textDocument.uri);
    const toModule = (r: Diagnostic['range']) => notebook.toModuleRange(tracked.module, cell, r);
    const range = toModule(params.range);
    if (!range) return [];
    const diagnostics = params.context.diagnostics.flatMap((d) => {
      const r = toModule(d.range);
      return r ? [{ ...d, range: r }] : [];
    });
    const module = tracked.module;
    const actions = await provideCodeActions({ ...params, textDocument: { uri: nb.uri }, range, context: { ...params.context, diagnostics } }, this.codeActions);
    // The module may have changed while the actions were computed: then they are not for this text.
    if (this.tracked.get(nb.uri)?.module !== module) return [];
    return actions.flatMap((a) => {
      if (!a.edit) return [a];
      const edit = this.toCellEdit(nb, tracked, a.edit);
      return edit ? [{ ...a, edit }] : [];
    });
  }

  private sync(nb: NotebookDocument, opened: boolean): void {
    const cellUris = nb.cells.map((c) => c.document);
    const cells = nb.cells.flatMap((c, index) => {
      const doc = this.notebooks.getCellTextDocument(c);
      return c.kind === NotebookCellKind.Code && doc && doc.languageId === 'python' ? [{ index, text: doc.getText() }] : [];
    });
    const module = notebook.notebookModule(cells);
    const previous = this.tracked.get(nb.uri);
    this.tracked.set(nb.uri, { module, cellUris, published: previous?.published ?? new Set() });
    const existing = this.documents.get(nb.uri);
    if (opened || !existing) {
      const doc = this.documents.openVirtual(nb.uri, nb.version, module.text);
      this.engine.route(nb.uri, (diagnostics) => this.publish(nb.uri, diagnostics));
      this.engine.onOpen(doc);
    } else {
      this.engine.onChange(this.documents.replaceText(existing, nb.version, module.text));
    }
  }

  private close(uri: string): void {
    const tracked = this.tracked.get(uri);
    this.engine.onClose(uri);
    this.engine.route(uri, undefined);
    this.documents.close(uri);
    this.tracked.delete(uri);
    for (const cellUri of tracked?.published ?? []) void this.connection.sendDiagnostics({ uri: cellUri, diagnostics: [] }).catch(() => undefined);
  }

  /** Module diagnostics -> one publishDiagnostics per cell (empty for cells that have none now). */
  private publish(uri: string, diagnostics: Diagnostic[]): void {
    const tracked = this.tracked.get(uri);
    if (!tracked) return;
    const byCell = new Map<string, Diagnostic[]>();
    for (const d of diagnostics) {
      const at = notebook.toCellRange(tracked.module, d.range);
      const cellUri = at && tracked.cellUris[at.cell];
      if (!at || !cellUri) continue;
      const moved: Diagnostic = { ...d, range: at.range };
      if (d.relatedInformation) {
        moved.relatedInformation = d.relatedInformation.flatMap((r) => {
          // Locations in other files (a layer module) keep their own URI and range.
          if (r.location.uri !== uri) return [r];
          const c = notebook.toCellRange(tracked.module, r.location.range);
          const target = c && tracked.cellUris[c.cell];
          return c && target ? [{ ...r, location: { uri: target, range: c.range } }] : [];
        });
      }
      byCell.set(cellUri, [...(byCell.get(cellUri) ?? []), moved]);
    }
    for (const cellUri of new Set([...tracked.published, ...byCell.keys()])) {
      void this.connection.sendDiagnostics({ uri: cellUri, diagnostics: byCell.get(cellUri) ?? [] }).catch(() => undefined);
    }
    tracked.published = new Set(byCell.keys());
  }

  /** A module WorkspaceEdit as cell edits; undefined when an edit would span cells. */
  private toCellEdit(nb: NotebookDocument, tracked: Tracked, edit: WorkspaceEdit): WorkspaceEdit | undefined {
    const moduleEdits: TextEdit[] = [];
    for (const change of edit.documentChanges ?? []) {
      if (TextDocumentEdit.is(change) && change.textDocument.uri === nb.uri) moduleEdits.push(...(change.edits as TextEdit[]));
    }
    moduleEdits.push(...(edit.changes?.[nb.uri] ?? []));
    const byCell = notebook.toCellEdits(tracked.module, moduleEdits);
    if (!byCell) return undefined;
    const entries = [...byCell].flatMap(([index, edits]) => {
      const uri = tracked.cellUris[index];
      return uri ? [{ uri, edits }] : [];
    });
    if (edit.documentChanges) {
      return {
        documentChanges: entries.map(({ uri, edits }) => {
          const cell = this.notebooks.getNotebookCell(uri);
          const version = (cell && this.notebooks.getCellTextDocument(cell)?.version) ?? null;
          return TextDocumentEdit.create({ uri, version }, edits);
        }),
      };
    }
    return { changes: Object.fromEntries(entries.map(({ uri, edits }) => [uri, edits])) };
  }
}
