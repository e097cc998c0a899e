// The two Node globals the shared server code touches, with their worker meaning. Imported first
// by the worker entry, before any server module runs. `process.versions` stays without `node` so
// that web-tree-sitter (and Emscripten) take their browser paths and fetch the wasm.

type Listener = (reason: unknown) => void;

interface WorkerScope {
  addEventListener(type: 'error', listener: (e: { error?: unknown; message?: string }) => void): void;
  addEventListener(type: 'unhandledrejection', listener: (e: { reason?: unknown }) => void): void;
}

const scope = globalThis as unknown as WorkerScope & Record<string, unknown>;

if (typeof scope.process === 'undefined') {
  const processShim = {
    platform: 'browser',
    versions: {},
    env: {},
    cwd: () => '/',
    on(event: string, listener: Listener) {
      if (event === 'uncaughtException') scope.addEventListener('error', (e) => listener(e.error ?? e.message));
      else if (event === 'unhandledRejection') scope.addEventListener('unhandledrejection', (e) => listener(e.reason));
      return processShim;
    },
  };
  scope.process = processShim;
}

if (typeof scope.setImmediate === 'undefined') {
  scope.setImmediate = (callback: (...args: unknown[]) => void, ...args: unknown[]) => setTimeout(callback, 0, ...args);
}
