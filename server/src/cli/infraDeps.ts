import type { DynamoGuardSettings } from '../protocol';
export { Analyzer, isRuleEnabled, severityFor } from '../analysis';
export type DynamoGuardSettingsLike = DynamoGuardSettings;
