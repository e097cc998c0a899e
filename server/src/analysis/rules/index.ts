import DG101 from './DG101-unscoped-key';
import DG102 from './DG102-unauthenticated-access';
import DG201 from './DG201-missing-projection';
import DG301 from './DG301-unconditional-write';
import DG302 from './DG302-mass-assignment';
import type { RuleModule } from './rule';

/** The registry, sorted by code (ESLint's habit: one place lists every rule). */
export const RULES: readonly RuleModule[] = [DG101, DG102, DG201, DG301, DG302].sort((a, b) => a.meta.code.localeCompare(b.meta.code));

const BY_CODE = new Map(RULES.map((r) => [r.meta.code, r]));

export function getRule(code: string): RuleModule | undefined {
  return BY_CODE.get(code.toUpperCase());
}
