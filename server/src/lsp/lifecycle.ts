// LSP lifecycle rules and the server's hard limits.
//
// Lifecycle (LSP 3.17 "initialize" / "shutdown"): a request before `initialize` has been answered
// gets ServerNotInitialized (-32002) and notifications are dropped (except `exit` and
// configuration, which is kept for later so an early didChangeConfiguration is not lost); after
// `shutdown`, requests get InvalidRequest. `exit` itself (0 after shutdown, 1 otherwise) is
// vscode-languageserver's.
//
// Limits: in Restricted Mode (an untrusted workspace: the client says `trusted: false`) the
// workspace's own configuration must not be able to make the server do unbounded work, so the
// file-size cap and the per-file time budget are clamped whatever pyproject.toml or the workspace
// settings say. Trusted workspaces keep their configured size cap and a generous time budget.

import { ErrorCodes, ResponseError } from 'vscode-languageserver/node';
import type { DynamoGuardSettings } from '../protocol';

export type Phase = 'uninitialized' | 'running' | 'shutdown';

export class Lifecycle {
  phase: Phase = 'uninitialized';

  /** Throws the error the specification prescribes when a request is not allowed now. */
  check(method: string): void {
    if (this.phase === 'uninitialized') throw new ResponseError(ErrorCodes.ServerNotInitialized, `${method}: the server is not initialized yet`);
    if (this.phase === 'shutdown') throw new ResponseError(ErrorCodes.InvalidRequest, `${method}: the server is shutting down`);
  }

  /** A request handler that answers per the lifecycle before `handler` ever runs. */
  request<A extends unknown[], R>(method: string, handler: (...args: A) => R): (...args: A) => R {
    return (...args: A) => {
      this.check(method);
      return handler(...args);
    };
  }

  /** A notification handler that only runs while the server is running. */
  notification<A extends unknown[]>(handler: (...args: A) => void): (...args: A) => void {
    return (...args: A) => {
      if (this.phase === 'running') handler(...args);
    };
  }
}

/** Caps no configuration can lift in Restricted Mode. */
export const RESTRICTED = { maxFileSizeKb: 1024, timeBudgetMs: 3000 } as const;
/** Analysis time per file and run in a trusted workspace (a hostile file still cannot hang the server). */
export const TRUSTED_TIME_BUDGET_MS = 20_000;
/** Heap growth during one file's analysis beyond which it is stopped (where the runtime reports it). */
export const MEMORY_BUDGET_BYTES = 1536 * 1024 * 1024;

export class Limits {
  constructor(
    public trusted: boolean,
    /** Test hook (DG_TEST_TIME_BUDGET_MS): a tiny budget makes the budget path testable. */
    private readonly budgetOverrideMs?: number,
  ) {}

  /** Settings with the hard limits applied. */
  apply(settings: DynamoGuardSettings): DynamoGuardSettings {
    if (this.trusted) return settings;
    const kb = settings.maxFileSizeKb > 0 ? Math.min(settings.maxFileSizeKb, RESTRICTED.maxFileSizeKb) : RESTRICTED.maxFileSizeKb;
    return kb === settings.maxFileSizeKb ? settings : { ...settings, maxFileSizeKb: kb };
  }

  get timeBudgetMs(): number {
    if (this.budgetOverrideMs !== undefined) return this.budgetOverrideMs;
    return this.trusted ? TRUSTED_TIME_BUDGET_MS : RESTRICTED.timeBudgetMs;
  }
}

/** Heap in use, where the runtime tells (Node); undefined in a browser worker. */
export function heapUsed(): number | undefined {
  const p = (globalThis as { process?: { memoryUsage?: () => { heapUsed: number } } }).process;
  return typeof p?.memoryUsage === 'function' ? p.memoryUsage().heapUsed : undefined;
}

/**
 * The `dynamoGuard` settings inside whatever a client pushed: `{ dynamoGuard: {...} }` (what
 * didChangeConfiguration carries, and what Neovim users often put in init_options) or the flat
 * section itself.
 */
export function settingsSection(value: unknown, section: string): unknown {
  if (!value || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const nested = (value as Record<string, unknown>)[section];
  return nested && typeof nested === 'object' && !Array.isArray(nested) ? nested : value;
}
