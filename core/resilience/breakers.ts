// One circuit breaker per platform (cockatiel 3), shared by every caller in the process,
// so that a platform that keeps failing is left alone for a while instead of hammered.
import { BrokenCircuitError, CircuitState, ConsecutiveBreaker, circuitBreaker, handleWhen, type CircuitBreakerPolicy } from 'cockatiel';
import { retryHints } from './errors.js';

export interface BreakerOptions {
  /** Consecutive failures that open the breaker. */
  threshold: number;
  /** How long it stays open before one trial call, in ms. */
  halfOpenAfterMs: number;
}

export const DEFAULT_BREAKER: BreakerOptions = { threshold: 5, halfOpenAfterMs: 10_000 };

export class BreakerRegistry {
  private readonly breakers = new Map<string, CircuitBreakerPolicy>();
  constructor(private readonly options: BreakerOptions = DEFAULT_BREAKER) {}

  /**
   * The breaker for a platform, created on first use. Permanent errors and waits that are not
   * the platform's doing (WaitingError) do not count as failures.
   */
  for(platform: string): CircuitBreakerPolicy {
    let breaker = this.breakers.get(platform);
    if (!breaker) {
      breaker = circuitBreaker(
        handleWhen((err) => {
          const hints = retryHints(err);
          return hints.retryable !== false && hints.platformFault !== false;
        }),
        { halfOpenAfter: this.options.halfOpenAfterMs, breaker: new ConsecutiveBreaker(this.options.threshold) },
      );
      this.breakers.set(platform, breaker);
    }
    return breaker;
  }

  state(platform: string): CircuitState {
    return this.breakers.get(platform)?.state ?? CircuitState.Closed;
  }

  /** How long a caller refused by an open breaker should wait before trying again. */
  get openWaitMs(): number {
    return this.options.halfOpenAfterMs;
  }
}

export function isBrokenCircuit(error: unknown): boolean {
  return error instanceof BrokenCircuitError;
}
