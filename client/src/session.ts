// The language client's lifecycle, shared by the desktop (Node) and the web (worker) extension:
// start, restart, stop, and the commands that only need a running client. Each platform's entry
// point says how to create the client; everything else is here.

import * as vscode from 'vscode';
import { explicitSettingsOnly } from './explicitSettings';
import { CloseAction, ErrorAction, type BaseLanguageClient, type ErrorHandler, type Middleware } from 'vscode-languageclient';
import { Commands, EditorCommands, type ShowDocumentationArgs } from '../../server/out/protocol';
import { exportSarif, fixAll, showDebugInfo } from './commands';
import { showDocumentation } from './documentation';
import { LevelFilteredChannel } from './logLevel';
import { scanWorkspace } from './scanWorkspace';
import { StatusItem } from './status';

export const CLIENT_ID = 'dynamoGuard';
export const CLIENT_NAME = 'DynamoGuard';
const RESTART_COMMAND = 'dynamoGuard.restartServer';
/** Shutdown answers within milliseconds unless an analysis is under way; do not call that an error. */
const STOP_TIMEOUT_MS = 10000;

/** What every client gets from the session, whatever its transport. */
export interface ClientHooks {
  errorHandler: ErrorHandler;
  middleware: Middleware;
}

export interface ClientFactory {
  /** Which server this is, for the output channel and debug info ("node", "web worker"). */
  readonly platform: string;
  create(output: vscode.OutputChannel, hooks: ClientHooks): BaseLanguageClient | Promise<BaseLanguageClient>;
}

export class ClientSession {
  readonly output: LevelFilteredChannel;
  private readonly status = new StatusItem();
  private client: BaseLanguageClient | undefined;
  /** Set while we stop the client on purpose: its connection closing is then not an error. */
  private stopping = false;
  /** Bumped by every start and stop: a client whose generation is past is being retired. */
  private generation = 0;

  constructor(
    private readonly context: vscode.ExtensionContext,
    private readonly factory: ClientFactory,
  ) {
    this.output = new LevelFilteredChannel(vscode.window.createOutputChannel(CLIENT_NAME));
    context.subscriptions.push(this.output, this.status);
  }

  get current(): BaseLanguageClient | undefined {
    return this.client;
  }

  /** @param scanUnavailable why the workspace scan cannot run here (web worker), if it cannot. */
  registerCommands(scanUnavailable: () => string | undefined = () => undefined): void {
    const running = () => this.client;
    const scan = () => {
      const reason = scanUnavailable();
      if (reason) return void vscode.window.showWarningMessage(`DynamoGuard: workspace scan unavailable: ${reason}`);
      return this.client ? scanWorkspace(this.client, this.output) : undefined;
    };
    this.context.subscriptions.push(
      vscode.commands.registerCommand(Commands.showOutput, () => this.output.show(true)),
      vscode.commands.registerCommand(Commands.scanWorkspace, scan),
      vscode.commands.registerCommand(Commands.showDocumentation, (args?: ShowDocumentationArgs) => showDocumentation(args)),
      vscode.commands.registerCommand(RESTART_COMMAND, () => {
        this.output.appendLine('Restarting the server.');
        return this.start();
      }),
      vscode.commands.registerCommand(EditorCommands.fixAll, () => fixAll(running)),
      vscode.commands.registerCommand(EditorCommands.exportSarif, () => {
        const reason = scanUnavailable();
        if (reason) return void vscode.window.showWarningMessage(`DynamoGuard: SARIF export unavailable: ${reason}`);
        return exportSarif(running, this.output);
      }),
      vscode.commands.registerCommand(EditorCommands.showDebugInfo, () => showDebugInfo(running, this.context, this.factory.platform)),
    );
  }

  /**
   * vscode-languageclient 9 has no restart(), and a client whose start failed cannot be started
   * again: (re)starting always means a fresh client.
   */
  async start(): Promise<void> {
    await this.stop();
    const generation = ++this.generation;
    const client = await this.factory.create(this.output, { errorHandler: this.errorHandler(), middleware: this.middleware(generation) });
    this.client = client;
    this.status.attach(client);
    try {
      await client.start();
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      this.output.appendLine(`The DynamoGuard server failed to start: ${message}`);
      this.status.setError(message);
      void vscode.window.showErrorMessage(`DynamoGuard: the server failed to start (${message}).`, 'Show Output')
        .then((choice) => choice && this.output.show(true));
    }
  }

  async stop(): Promise<void> {
    const stopping = this.client;
    this.client = undefined;
    this.generation++;
    if (!stopping) return;
    this.stopping = true;
    try {
      // stop() throws unless the client is running; a failed or starting client only needs disposing.
      if (stopping.isRunning()) await stopping.stop(STOP_TIMEOUT_MS);
      else await stopping.dispose().catch(() => undefined);
    } finally {
      this.stopping = false;
    }
  }

  /**
   * A diagnostic pull still in flight when its client stops comes back after the client forgot
   * it, which vscode-languageclient logs as an error ("Lost request state in diagnostic pull
   * model"): report it as cancelled instead, which it is.
   */
  private middleware(generation: number): Middleware {
    return {
      workspace: { configuration: explicitSettingsOnly },
      provideDiagnostics: async (document, previousResultId, token, next) => {
        const report = await next(document, previousResultId, token);
        if (generation !== this.generation) throw new vscode.CancellationError();
        return report;
      },
    };
  }

  /** The default handler (restart a crashed server up to 4 times), quiet while we stop on purpose. */
  private errorHandler(): ErrorHandler {
    let fallback: ErrorHandler | undefined;
    const defaults = () => (fallback ??= this.client!.createDefaultErrorHandler(4));
    return {
      error: (error, message, count) => (this.stopping ? { action: ErrorAction.Shutdown, handled: true } : defaults().error(error, message, count)),
      closed: () => (this.stopping ? { action: CloseAction.DoNotRestart, handled: true } : defaults().closed()),
    };
  }
}
