// The "{}" language status entry for Python files: server state plus the active file's findings.

import * as vscode from 'vscode';
import { type BaseLanguageClient, NotificationType, State } from 'vscode-languageclient';
import { Commands, Notifications, type StatusParams } from '../../server/out/protocol';

const statusNotification = new NotificationType<StatusParams>(Notifications.status);

type ServerState = 'starting' | 'running' | 'stopped' | 'error';

export class StatusItem implements vscode.Disposable {
  private readonly item = vscode.languages.createLanguageStatusItem('dynamoGuard.status', { language: 'python' });
  /** Latest status per document URI, as the server reported it. */
  private readonly byUri = new Map<string, StatusParams>();
  private state: ServerState = 'starting';
  private errorMessage: string | undefined;
  private clientSubscriptions: vscode.Disposable[] = [];
  private readonly subscriptions: vscode.Disposable[];

  constructor() {
    this.item.name = 'DynamoGuard';
    this.item.command = { command: Commands.showOutput, title: 'Show Output' };
    this.subscriptions = [
      vscode.window.onDidChangeActiveTextEditor(() => this.render()),
      vscode.workspace.onDidCloseTextDocument((doc) => this.byUri.delete(doc.uri.toString())),
    ];
    this.render();
  }

  /** Follow a (new) client: its state changes and its status notifications. */
  attach(client: BaseLanguageClient): void {
    this.detach();
    this.byUri.clear();
    this.setState('starting');
    this.clientSubscriptions = [
      client.onDidChangeState(({ newState }) => {
        if (newState === State.Running) this.setState('running');
        else if (newState === State.Starting) this.setState('starting');
        // Stopped after a start was reported as an error keeps the error on display.
        else if (this.state !== 'error') this.setState('stopped');
      }),
      client.onNotification(statusNotification, (params) => {
        // The editor's spelling of the URI (the web client maps non-file URIs for the server).
        this.byUri.set(client.protocol2CodeConverter.asUri(params.uri).toString(), params);
        this.render();
      }),
    ];
  }

  setError(message: string): void {
    this.errorMessage = message;
    this.state = 'error';
    this.render();
  }

  dispose(): void {
    this.detach();
    for (const d of this.subscriptions) d.dispose();
    this.item.dispose();
  }

  private detach(): void {
    for (const d of this.clientSubscriptions) d.dispose();
    this.clientSubscriptions = [];
  }

  private setState(state: ServerState): void {
    this.state = state;
    if (state !== 'error') this.errorMessage = undefined;
    this.render();
  }

  private render(): void {
    const item = this.item;
    item.busy = this.state === 'starting';
    item.severity = vscode.LanguageStatusSeverity.Information;
    switch (this.state) {
      case 'starting':
        item.text = 'DynamoGuard: starting';
        item.detail = undefined;
        return;
      case 'stopped':
        item.text = 'DynamoGuard: stopped';
        item.detail = 'see the output';
        item.severity = vscode.LanguageStatusSeverity.Warning;
        return;
      case 'error':
        item.text = 'DynamoGuard: error';
        item.detail = this.errorMessage;
        item.severity = vscode.LanguageStatusSeverity.Error;
        return;
      case 'running': {
        const uri = vscode.window.activeTextEditor?.document.uri.toString();
        const status = uri === undefined ? undefined : this.byUri.get(uri);
        if (!status) {
          item.text = 'DynamoGuard';
          item.detail = 'running';
          return;
        }
        item.text = `DynamoGuard: ${plural(status.findings, 'finding')}`;
        item.detail = status.message ?? `analyzed in ${Math.round(status.durationMs)} ms`;
      }
    }
  }
}

export function plural(n: number, noun: string): string {
  return `${n} ${noun}${n === 1 ? '' : 's'}`;
}
