// The `url` of the web worker (substituted for Node's by scripts/bundle.mjs): file URLs <-> POSIX
// paths, the only conversions the server makes. A string that already is a URL (a rule page
// inside the extension, served over https in vscode.dev) passes through pathToFileURL unchanged.

const HAS_SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;

export function fileURLToPath(url: string | URL): string {
  const parsed = typeof url === 'string' ? new URL(url) : url;
  if (parsed.protocol !== 'file:') throw new TypeError(`The URL must be of scheme file: ${parsed.href}`);
  return decodeURIComponent(parsed.pathname);
}

export function pathToFileURL(path: string): URL {
  if (HAS_SCHEME.test(path)) return new URL(path);
  const encoded = path.split('/').map(encodeURIComponent).join('/');
  return new URL(`file://${encoded.startsWith('/') ? '' : '/'}${encoded}`);
}
