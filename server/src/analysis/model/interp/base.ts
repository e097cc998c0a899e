import { field, type SyntaxNode } from '../../parse/syntax';
import { AUTHENTICATED, type HandlerInfo, type ReturnFact, type TableCall } from '../facts';
import { textOf, type FunctionInfo } from '../module';
import { statusFromName } from '../names';
import type { Read } from '../knowledge/frameworks';
import { EMPTY, type Source, type Value } from '../values';
import { BudgetExceeded, type ModuleContext, type State } from './state';

export type FlowMode = 'module' | 'handler' | 'helper' | 'plain';

/**
 * What every layer of the interpreter shares: the facts it records, the function it runs over,
 * and the small helpers for names, sources and call arguments. The layers build on each other:
 * guards (conditions) → expressions → calls → statements (`FlowAnalyzer` in ../flow.ts).
 */
export abstract class FlowBase {
  readonly calls: TableCall[] = [];
  readonly returns: ReturnFact[] = [];
  readonly raises: ReturnFact[] = [];
  readonly subjectReads: Source[] = [];
  readonly guardCalls: SyntaxNode[] = [];
  /**
   * Module mode: table calls of top-level code and class bodies (scripts, notebook cells,
   * `if __name__ == "__main__":`). Only the expression rules read them: no request reaches there.
   */
  readonly moduleCalls: TableCall[] = [];
  /** Module mode: the top-level statement being run, standing in for the function of its calls. */
  protected moduleUnit: FunctionInfo | undefined;
  /** Helper mode: pairs of param indexes compared by a guard (-1 = subject). */
  readonly guardPairs: Array<[number, number]> = [];
  protected depth = 0;
  protected loopDepth = 0;
  /** Enclosing loop statements (innermost last), for `TableCall.loop`. */
  protected readonly loops: SyntaxNode[] = [];
  protected currentStatement: SyntaxNode | undefined;
  /** State of the path being run (a subject read marks it authenticated from there on). */
  protected pathState: State | undefined;

  constructor(
    protected readonly ctx: ModuleContext,
    protected readonly fn: FunctionInfo | undefined,
    protected readonly mode: FlowMode,
    protected readonly handler?: HandlerInfo,
  ) {}

  abstract eval(node: SyntaxNode, state: State): Value;

  /** One unit of work against the analysis budget. */
  protected tick(): void {
    const b = this.ctx.budget;
    if (!b) return;
    b.total++;
    if (++b.steps > b.maxSteps) throw new BudgetExceeded('steps');
    if ((b.total & 1023) === 0 && Date.now() > b.deadline) throw new BudgetExceeded('time');
  }

  protected t(node: SyntaxNode): string {
    return textOf(this.ctx.text, node);
  }

  /** Dotted name with the import prefix resolved: `boto3.resource`, `fastapi.Depends`. */
  qualify(dotted: string): string {
    const head = dotted.split('.')[0]!;
    const imp = this.ctx.structure.imports.get(head);
    if (!imp) return dotted;
    return imp.qualified + dotted.slice(head.length);
  }

  protected subjectRead(node: SyntaxNode, label: string, scope?: Source['scope']): Value {
    const src: Source = scope ? { id: `subject:${node.start}`, label, node, scope } : { id: `subject:${node.start}`, label, node };
    if (this.mode !== 'module' && !this.subjectReads.some((s) => s.node.start === node.start)) this.subjectReads.push(src);
    // A `checked` subject may be missing: only a check that leaves without it authenticates (guards.ts).
    if (scope !== 'checked') this.pathState?.verified.add(AUTHENTICATED);
    return { subject: [src] };
  }

  protected requestRead(node: SyntaxNode, label: string, payload = false, id?: string): Value {
    const src: Source = { id: id ?? `request:${node.start}`, label, node };
    return payload ? { request: [src], payload: src } : { request: [src] };
  }

  /** The value a knowledge-table `Read` yields at `node`; `{...}` placeholders of its label filled from `vars`. */
  protected read(r: Read, node: SyntaxNode, vars: Record<string, string>): Value {
    switch (r.kind) {
      case 'request':
        return this.requestRead(node, fill(r.label, vars), !!r.payload);
      case 'subject':
        return this.subjectRead(node, fill(r.label, vars), r.scope);
      case 'object':
        return { obj: r.obj };
      default:
        return EMPTY;
    }
  }

  protected calleeName(call: SyntaxNode): string {
    const f = field(call, 'function');
    if (!f) return '';
    const text = this.t(f);
    return text.slice(text.lastIndexOf('.') + 1);
  }

  protected statusOf(node: SyntaxNode | undefined): number | undefined {
    if (!node) return undefined;
    if (node.type === 'integer') return Number(this.t(node));
    if (node.type === 'attribute' || node.type === 'identifier') return statusFromName(this.t(node));
    return undefined;
  }

  protected callArg(call: SyntaxNode, index: number, kw: string[]): SyntaxNode | undefined {
    const args = field(call, 'arguments');
    if (!args) return undefined;
    for (const a of args.children) {
      if (a.type === 'keyword_argument' && kw.includes(this.t(field(a, 'name')!))) return field(a, 'value');
    }
    const positional = args.children.filter((c) => c.named && c.type !== 'keyword_argument' && c.type !== 'list_splat' && c.type !== 'dictionary_splat');
    return positional[index];
  }

  protected markPostChecked(id: number): void {
    const call = this.calls.find((c) => c.id === id);
    if (call) call.postChecked = true;
  }
}

function fill(label: string, vars: Record<string, string>): string {
  return label.replace(/\{(\w+)\}/g, (m, k: string) => vars[k] ?? m);
}
