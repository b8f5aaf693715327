import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

/** Prometheus metrics for one server: its own registry, so several servers can share a process (tests). */
export class Metrics {
  readonly registry = new Registry();
  private readonly requests = new Counter({
    name: 'gatehouse_requests_total',
    help: 'API calls by operation and HTTP status.',
    labelNames: ['operation', 'status'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'gatehouse_request_duration_seconds',
    help: 'API call latency by operation.',
    labelNames: ['operation'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5],
    registers: [this.registry],
  });
  private readonly errors = new Counter({
    name: 'gatehouse_errors_total',
    help: 'API errors by Cognito error type.',
    labelNames: ['type'] as const,
    registers: [this.registry],
  });

  constructor() {
    collectDefaultMetrics({ register: this.registry, prefix: 'gatehouse_' });
  }

  /**
   * The series of each operation and status, bound once: prom-client otherwise turns the labels into a
   * key on every call, about 2% of a GetCredentialsForIdentity's CPU (npm run bench -- get-credentials).
   * Operations, statuses and error types are names from the service models, so the maps stay small.
   */
  private readonly bound = new Map<string, { requests: Counter.Internal; latency: Histogram.Internal<'operation'> }>();
  private readonly boundErrors = new Map<string, Counter.Internal>();

  observeCall(operation: string, status: number, errorType: string | undefined, seconds: number): void {
    const key = `${operation} ${status}`;
    let series = this.bound.get(key);
    if (!series) {
      series = { requests: this.requests.labels(operation, String(status)), latency: this.latency.labels(operation) };
      this.bound.set(key, series);
    }
    series.requests.inc();
    series.latency.observe(seconds);
    if (errorType) {
      let errors = this.boundErrors.get(errorType);
      if (!errors) this.boundErrors.set(errorType, (errors = this.errors.labels(errorType)));
      errors.inc();
    }
  }
}
