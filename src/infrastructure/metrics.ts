/**
 * The Prometheus registry and the service's own metrics. Adapters and workers import the metric
 * they feed from here (e.g. `metrics.inboundMessages.inc()`); `/metrics` renders `metrics.registry`.
 * `createMetrics()` gives a fresh registry so tests and several apps in one process do not clash.
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';

export interface Metrics {
  registry: Registry;
  httpRequests: Counter<'method' | 'route' | 'status'>;
  httpRequestDuration: Histogram<'method' | 'route' | 'status'>;
  inboundMessages: Counter<never>;
  outboundMessages: Counter<'status'>;
  outboxQueueDepth: Gauge<never>;
}

export function createMetrics(options: { defaultMetrics?: boolean } = {}): Metrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });

  return {
    registry,
    httpRequests: new Counter({
      name: 'http_requests_total',
      help: 'HTTP requests served, by route pattern, method and status code',
      labelNames: ['method', 'route', 'status'],
      registers: [registry],
    }),
    httpRequestDuration: new Histogram({
      name: 'http_request_duration_seconds',
      help: 'HTTP request duration in seconds, by route pattern, method and status code',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [registry],
    }),
    inboundMessages: new Counter({
      name: 'crm_inbound_messages_total',
      help: 'WhatsApp messages received through the webhook',
      registers: [registry],
    }),
    outboundMessages: new Counter({
      name: 'crm_outbound_messages_total',
      help: 'Outbound WhatsApp messages by final send outcome (sent, failed, ...)',
      labelNames: ['status'],
      registers: [registry],
    }),
    outboxQueueDepth: new Gauge({
      name: 'crm_outbox_queue_depth',
      help: 'Outbound messages waiting in the outbox (pending)',
      registers: [registry],
    }),
  };
}
