/** Wrong use of the CLI itself: exit code 2. */
export class UsageError extends Error {}

/** The server (or the way to it) refused: exit code 1, with the API's own message. */
export class RefusedError extends Error {
  constructor(message: string, readonly status?: number, readonly code?: string) {
    super(message);
  }
}
