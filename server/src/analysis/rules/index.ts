import type { RuleModule } from './rule';

/** The registry, sorted by code. */
export const RULES: readonly RuleModule[] = [];

const BY_CODE = new Map(RULES.map((r) => [r.meta.code, r]));

export function getRule(code: string): RuleModule | undefined {
  return BY_CODE.get(code.toUpperCase());
}
