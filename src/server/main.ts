// The coordinator server process (dist/server.js). Started by the extension through
// vscode-languageclient (IPC), or as `lockstep serve --stdio` (the CLI requires this bundle), or
// directly: `node dist/server.js --stdio`. The transport comes from the command line
// (--stdio, --node-ipc, --socket=…, --pipe=…), as vscode-languageserver reads it.
// Loading this module starts the server: it is only ever loaded to run it.
import * as os from 'node:os';
import { fileURLToPath } from 'node:url';
import {
  createConnection,
  DiagnosticSeverity,
  ErrorCodes,
  ProposedFeatures,
  ResponseError,
  TextDocuments,
  TextDocumentSyncKind,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import {
  ClientOptions,
  clientOptionsNotification,
  coordinatorRequests,
  describeZodError,
  InitializationOptions,
  snapshotNotification,
  stateChangedNotification,
  type CoordinatorRequestName,
  type InitializeInfo,
} from '../protocol/coordinatorMethods';
import { Coordinator, CoordinatorRequestError } from './coordinator';
import { registerSchedulerHost } from './schedulerHost';
import { registerMatrixHost } from './matrixHost';
import { registerMemoryHost } from './memoryHost';
import { NOT_A_REPOSITORY, oneLine } from './requestErrors';
export { NOT_A_REPOSITORY } from './requestErrors';

/** Error code of a request that failed (store unreadable…); the message says why, in one line. */
export const REQUEST_FAILED = ErrorCodes.InternalError;

function osUserName(): string {
  try {
    return os.userInfo().username.replace(/[^\w.@-]/g, '_') || 'user';
  } catch {
    return 'user';
  }
}

function rootOf(params: InitializeParams, opts: InitializationOptions): string {
  if (opts.root) return opts.root;
  const uri = params.rootUri ?? params.workspaceFolders?.[0]?.uri;
  if (uri?.startsWith('file:')) return fileURLToPath(uri);
  return params.rootPath ?? process.cwd();
}

function filePathOf(uri: string): string | undefined {
  if (!uri.startsWith('file:')) return undefined;
  try {
    return fileURLToPath(uri);
  } catch {
    return undefined;
  }
}

export function runServer(connection: Connection): void {
  const documents = new TextDocuments(TextDocument);
  let coordinator: Coordinator | undefined;
  let idleReason = 'the server is not initialized yet';
  let initialized = false;
  let diagnosticsEnabled = true;
  const published = new Map<string, string>(); // uri → message last published ('' = none)
  const log = (message: string) => connection.console.info(`lockstep: ${message}`);

  const publishDiagnostics = (doc: TextDocument, force = false) => {
    const file = filePathOf(doc.uri);
    const notice = diagnosticsEnabled && coordinator && file ? coordinator.heldNotice(file) ?? '' : '';
    if (!force && published.get(doc.uri) === notice) return;
    published.set(doc.uri, notice);
    const firstLineEnd = doc.positionAt(Math.max(0, doc.getText().indexOf('\n') === -1 ? doc.getText().length : doc.getText().indexOf('\n')));
    const diagnostics: Diagnostic[] = notice
      ? [{ range: { start: { line: 0, character: 0 }, end: firstLineEnd }, severity: DiagnosticSeverity.Information, source: 'lockstep', message: notice }]
      : [];
    void connection.sendDiagnostics({ uri: doc.uri, diagnostics });
  };
  const refreshDiagnostics = () => {
    for (const doc of documents.all()) publishDiagnostics(doc);
  };
  // "9 more minutes" changes with time alone.
  const ticker = setInterval(refreshDiagnostics, 30_000);
  ticker.unref();

  connection.onInitialize(async (params): Promise<InitializeResult & { lockstep: InitializeInfo }> => {
    const parsed = InitializationOptions.safeParse(params.initializationOptions ?? {});
    if (!parsed.success) throw new ResponseError(ErrorCodes.InvalidParams, describeZodError('initializationOptions', parsed.error));
    const opts = parsed.data;
    if (opts.diagnostics !== undefined) diagnosticsEnabled = opts.diagnostics;
    const userSession = opts.userSessionId ?? `vscode:${osUserName()}`;
    const root = rootOf(params, opts);
    let reason: string | undefined;
    try {
      coordinator = await Coordinator.open({
        root,
        userSession,
        env: process.env,
        log,
        onDelta: (delta) => {
          if (initialized) void connection.sendNotification(stateChangedNotification, delta);
        },
        onModel: refreshDiagnostics,
      });
    } catch (e) {
      // Not a repository (or a store on a file system Lockstep refuses): stay idle, say why.
      reason = oneLine(e);
      idleReason = reason;
    }
    const info: InitializeInfo = {
      repo: coordinator ? { commonDir: coordinator.location.commonDir, root: coordinator.location.worktreeRoot } : null,
      reason,
      userSession,
      pid: process.pid,
      methods: Object.values(coordinatorRequests).map((r) => r.type.method),
    };
    return {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental },
        hoverProvider: true,
      },
      serverInfo: { name: 'lockstep-coordinator', version: '0.1.0' },
      lockstep: info,
    };
  });

  connection.onInitialized(() => {
    initialized = true;
    if (coordinator) void connection.sendNotification(snapshotNotification, coordinator.snapshot());
  });

  for (const name of Object.keys(coordinatorRequests) as CoordinatorRequestName[]) {
    const spec = coordinatorRequests[name];
    const method = spec.type.method;
    connection.onRequest(method, async (raw: unknown) => {
      const parsed = spec.params.safeParse(raw);
      if (!parsed.success) return new ResponseError(ErrorCodes.InvalidParams, describeZodError(method, parsed.error));
      if (!coordinator) return new ResponseError(NOT_A_REPOSITORY, `${method}: Lockstep is idle: ${idleReason}`);
      const handler = coordinator.handlers[name] as (p: unknown) => Promise<unknown>;
      try {
        return await handler(parsed.data);
      } catch (e) {
        if (e instanceof CoordinatorRequestError) return new ResponseError(ErrorCodes.InvalidParams, `${method}: ${e.message}`);
        return new ResponseError(REQUEST_FAILED, `${method}: ${oneLine(e)}`);
      }
    });
  }

  const schedulerHost = registerSchedulerHost(connection, {
    repo: () => (coordinator ? { root: coordinator.location.worktreeRoot, commonDir: coordinator.location.commonDir } : undefined),
    log,
    planWritten: (file) => {
      try {
        coordinator?.recordLockstepWrites([file]);
      } catch (e) {
        log(`the plan was written, but recording it as your edit failed: ${oneLine(e)}`);
      }
    },
  });
  // The matrix writes applied waves through the scheduler's plan editing: one writer of the plan file.
  registerMatrixHost(connection, { coordinator: () => coordinator, scheduler: () => schedulerHost.open(), log });
  registerMemoryHost(connection, { coordinator: () => coordinator, log });

  connection.onNotification(clientOptionsNotification.method, (raw: unknown) => {
    const parsed = ClientOptions.safeParse(raw);
    if (!parsed.success) return log(describeZodError(clientOptionsNotification.method, parsed.error));
    if (parsed.data.diagnostics !== undefined) diagnosticsEnabled = parsed.data.diagnostics;
    refreshDiagnostics();
  });

  // Generic LSP clients: settings `{ lockstep: { diagnostics: { enabled } } }`.
  connection.onDidChangeConfiguration((change) => {
    const enabled = (change.settings as { lockstep?: { diagnostics?: { enabled?: unknown } } } | undefined)?.lockstep?.diagnostics?.enabled;
    if (typeof enabled === 'boolean') {
      diagnosticsEnabled = enabled;
      refreshDiagnostics();
    }
  });

  connection.onHover((params) => {
    const file = filePathOf(params.textDocument.uri);
    const notice = coordinator && file ? coordinator.heldNotice(file) : undefined;
    return notice ? { contents: { kind: 'markdown', value: `**Lockstep**: ${notice}` } } : null;
  });

  documents.onDidOpen((e) => publishDiagnostics(e.document, true));
  documents.onDidClose((e) => {
    published.delete(e.document.uri);
    void connection.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
  });
  documents.listen(connection);

  connection.onShutdown(async () => {
    clearInterval(ticker);
    await coordinator?.close();
    coordinator = undefined;
    idleReason = 'the server is shutting down';
  });

  connection.listen();
}

let started = false;
/** Starts the server on the transport named on the command line (once per process). */
export function startServer(): void {
  if (started) return;
  started = true;
  const connection = createConnection(ProposedFeatures.all);
  // One bad event must not take down the coordinator every client depends on.
  process.on('uncaughtException', (e) => connection.console.error(`lockstep: ${oneLine(e)}`));
  process.on('unhandledRejection', (e) => connection.console.error(`lockstep: ${oneLine(e)}`));
  runServer(connection);
}

startServer();
