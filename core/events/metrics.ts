// The counters the dispatcher reports, behind a small interface so that the gateway can
// back them with prom-client while tests and benchmarks use the no-op.

export interface EventMetrics {
  delivered(subscriber: string, count: number): void;
  failed(subscriber: string, count: number): void;
  dead(subscriber: string, count: number): void;
}

export const noopEventMetrics: EventMetrics = {
  delivered: () => {},
  failed: () => {},
  dead: () => {},
};
