import DG101 from './DG101-unscoped-key';
import DG102 from './DG102-unauthenticated-access';
import DG103 from './DG103-filter-as-authorization';
import DG104 from './DG104-unvalidated-key-condition';
import DG105 from './DG105-privileged-field-write';
import DG106 from './DG106-client-asserted-identity';
import DG203 from './DG203-unbounded-pagination';
import DG201 from './DG201-missing-projection';
import DG202 from './DG202-scan-in-handler';
import DG205 from './DG205-sensitive-attribute-exposure';
import DG301 from './DG301-unconditional-write';
import DG302 from './DG302-mass-assignment';
import DG303 from './DG303-transaction-without-condition';
import DG402 from './DG402-reserved-word';
import DG403 from './DG403-placeholder-mismatch';
import DG404 from './DG404-expression-syntax';
import DG405 from './DG405-client-controlled-attribute-name';
import DG501 from './DG501-hardcoded-credentials';
import DG502 from './DG502-insecure-endpoint';
import DG204 from './DG204-error-disclosure';
import DG304 from './DG304-read-modify-write';
import DG401 from './DG401-expression-injection';
import DG406 from './DG406-key-schema-mismatch';
import DG407 from './DG407-unknown-index';
import DG601 from './DG601-over-privileged-policy';
import DG602 from './DG602-missing-permission';
import type { RuleModule } from './rule';

/** The registry, sorted by code (ESLint's habit: one place lists every rule). */
export const RULES: readonly RuleModule[] = [DG106, DG204, DG304, DG401, DG103, DG104, DG105, DG203, DG202, DG205, DG303, DG405, DG501, DG502, DG101, DG102, DG201, DG301, DG302, DG402, DG403, DG404, DG406, DG407, DG601, DG602].sort((a, b) => a.meta.code.localeCompare(b.meta.code));

const BY_CODE = new Map(RULES.map((r) => [r.meta.code, r]));

export function getRule(code: string): RuleModule | undefined {
  return BY_CODE.get(code.toUpperCase());
}
