/** A mistake in how the CLI was called or configured: message on stderr, exit status 2. */
export class UsageError extends Error {
  constructor(message: string, readonly hint = true) {
    super(message);
  }
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_USAGE = 2;
