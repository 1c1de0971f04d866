import { waitFor as pollUntil } from "../../support/server-process.js";

/** Bounded polling for things the API server does asynchronously (admission informers, the CA informer). */

export { sleep } from "../../support/server-process.js";

/**
 * The shared poll (test/support/server-process.ts) with the e2e argument order and its slower defaults:
 * the API server's informers take seconds, not milliseconds.
 */
export function waitFor<T>(what: string, check: () => Promise<T> | T, timeoutMs = 20_000, intervalMs = 200): Promise<NonNullable<T>> {
  return pollUntil(check, what, timeoutMs, intervalMs);
}
