// `dynamoGuard.logLevel`: the DynamoGuard output channel shows messages at this level and above.
// The language client writes every server log line as `[Level - time] message` (followed by
// unprefixed detail lines); lines below the level are dropped here, with their detail lines.

import * as vscode from 'vscode';

export const LOG_LEVELS = ['error', 'warn', 'info', 'debug'] as const;
export type LogLevel = (typeof LOG_LEVELS)[number];

const LEVEL_SETTING = 'dynamoGuard.logLevel';
const RANK: Record<string, number> = { error: 0, warn: 1, info: 2, debug: 3, trace: 3 };
const PREFIX = /^\[(Error|Warn|Info|Debug|Trace)\s*-/;

export function configuredLevel(): LogLevel {
  const value = vscode.workspace.getConfiguration().get<string>(LEVEL_SETTING, 'info');
  return (LOG_LEVELS as readonly string[]).includes(value) ? (value as LogLevel) : 'info';
}

export class LevelFilteredChannel implements vscode.OutputChannel {
  private level: LogLevel = configuredLevel();
  /** Whether the last prefixed line was shown: its unprefixed detail lines follow it. */
  private showing = true;
  private readonly watcher: vscode.Disposable;

  constructor(private readonly channel: vscode.OutputChannel) {
    this.watcher = vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration(LEVEL_SETTING)) this.level = configuredLevel();
    });
  }

  get name(): string {
    return this.channel.name;
  }

  get logLevel(): LogLevel {
    return this.level;
  }

  /** Whether a line is shown at the current level (exported for the e2e and unit checks). */
  accepts(line: string): boolean {
    const match = PREFIX.exec(line);
    if (!match) return this.showing;
    this.showing = RANK[match[1]!.toLowerCase()]! <= RANK[this.level]!;
    return this.showing;
  }

  append(value: string): void {
    if (this.showing) this.channel.append(value);
  }

  appendLine(value: string): void {
    if (this.accepts(value)) this.channel.appendLine(value);
  }

  /** A line of our own (not the server's) at the given level. */
  log(level: LogLevel, message: string): void {
    if (RANK[level]! <= RANK[this.level]!) this.channel.appendLine(message);
  }

  replace(value: string): void {
    this.channel.replace(value);
  }

  clear(): void {
    this.channel.clear();
  }

  show(preserveFocusOrColumn?: boolean | vscode.ViewColumn, preserveFocus?: boolean): void {
    if (typeof preserveFocusOrColumn === 'boolean' || preserveFocusOrColumn === undefined) this.channel.show(preserveFocusOrColumn);
    else this.channel.show(preserveFocusOrColumn, preserveFocus);
  }

  hide(): void {
    this.channel.hide();
  }

  dispose(): void {
    this.watcher.dispose();
    this.channel.dispose();
  }
}
