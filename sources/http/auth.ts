/**
 * Credentials shared by all requests of one client, renewed once however many requests find
 * them expired at the same moment (no thundering herd).
 */
export interface CredentialCache<T> {
  /** The current credential, logging in (once, shared) when there is none. */
  get(): Promise<T>;
  /** Drop `stale` if it is still the current one, so the next get() logs in again. */
  invalidate(stale: T): void;
  /** Replace the credential (e.g. a rotated ticket from a response header). */
  set(value: T): void;
  /** How many logins were made (for tests). */
  readonly logins: number;
}

export function credentialCache<T>(login: () => Promise<T>): CredentialCache<T> {
  let current: T | undefined;
  let pending: Promise<T> | undefined;
  let logins = 0;
  return {
    get() {
      if (current !== undefined) return Promise.resolve(current);
      if (!pending) {
        logins++;
        pending = login().then(
          (v) => {
            current = v;
            pending = undefined;
            return v;
          },
          (e: unknown) => {
            pending = undefined;
            throw e;
          },
        );
      }
      return pending;
    },
    invalidate(stale) {
      if (current === stale) current = undefined;
    },
    set(value) {
      current = value;
    },
    get logins() {
      return logins;
    },
  };
}
