// Public surface of the analyzer (no LSP or VS Code imports anywhere below this folder).
export * from './types';
export * from './analyzer';
export { DEFAULT_SETTINGS, ConfigError, loadConfig, findPyproject, isRuleEnabled, mergeSettings, overlay, severityFor, settingsForFile, checkPyprojectText, validateSettings, type ConfigIssue, type ConfigSource } from './config/config';
export { decodeSource, checkText } from './source';
export { parseSuppressions, withSuppression } from './suppressions';
export { RULES, getRule } from './rules';
export type { WorkspaceIndex, ModuleSummary } from './model/workspace';
export { InMemoryWorkspaceIndex, summarizeDocument, summarizeModule, mayExport, passThroughSummary, type FactsLoader } from './workspaceIndex';
export { cannotMatter, importedModules, importedModuleNames } from './prescan';
export { forgetFacts } from './model/engine';
export * as notebook from './notebook';
export type { NotebookCell, NotebookModule } from './notebook';
