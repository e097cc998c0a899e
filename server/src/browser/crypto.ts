// The `crypto` of the web worker (substituted for Node's by scripts/bundle.mjs): the one call the
// server makes, a synchronous SHA-256 for SARIF fingerprints (Web Crypto's digest is async only).

import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export function createHash(algorithm: string) {
  if (algorithm !== 'sha256') throw new Error(`createHash: only sha256 is available in the browser, not ${algorithm}`);
  const hash = sha256.create();
  const api = {
    update(data: string) {
      hash.update(utf8ToBytes(data));
      return api;
    },
    digest(encoding: 'hex') {
      if (encoding !== 'hex') throw new Error(`digest: only hex is available in the browser, not ${String(encoding)}`);
      return bytesToHex(hash.digest());
    },
  };
  return api;
}
