/**
 * A retry budget: retries of a source are held to a fraction of its requests, so a struggling
 * upstream is not sent a second wave of traffic by our retries. Every request deposits `ratio`
 * of a retry, every retry withdraws one; at most `burst` are saved up (so a quiet source can
 * still retry a few times at once). Over any long window, retries ≤ ratio × requests + burst.
 */
export class RetryBudget {
  private tokens: number;

  constructor(
    readonly ratio = 0.1,
    readonly burst = 10,
  ) {
    this.tokens = burst;
  }

  /** A request (not a retry) was made. */
  deposit(): void {
    this.tokens = Math.min(this.burst, this.tokens + this.ratio);
  }

  /** Whether a retry may be made now; takes it from the budget when it may. */
  withdraw(): boolean {
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
