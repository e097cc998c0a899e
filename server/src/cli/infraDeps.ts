import type { DynamoGuardSettings } from '../protocol';
export { Analyzer, isRuleEnabled } from '../analysis';
export type DynamoGuardSettingsLike = DynamoGuardSettings;
