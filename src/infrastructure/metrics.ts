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
  webhookEvents: Counter<'outcome'>;
  outboundMessages: Counter<'status'>;
  outboxQueueDepth: Gauge<never>;
  /** OpenAI calls by operation (reply, classify, ...) and outcome (ok or the AiFailureKind). */
  aiRequests: Counter<'operation' | 'outcome'>;
  aiRequestDuration: Histogram<'operation'>;
  /** 0 closed, 1 half-open, 2 open. */
  aiCircuitState: Gauge<never>;
  /** Inbound messages processed by the AI worker, by outcome (replied, handed_off, declined, ...). */
  aiInboundOutcomes: Counter<'outcome'>;
  aiHandoffs: Counter<'reason'>;
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
    webhookEvents: new Counter({
      name: 'crm_webhook_events_total',
      help: 'WhatsApp webhook events by outcome: accepted, duplicate (already in the inbox), processed, waiting, retried, dead, dropped',
      labelNames: ['outcome'],
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
    aiRequests: new Counter({
      name: 'crm_ai_requests_total',
      help: 'OpenAI calls by operation and outcome (ok, timeout, circuit_open, rate_limited, ...)',
      labelNames: ['operation', 'outcome'],
      registers: [registry],
    }),
    aiRequestDuration: new Histogram({
      name: 'crm_ai_request_duration_seconds',
      help: 'OpenAI call duration in seconds (retries included), by operation',
      labelNames: ['operation'],
      buckets: [0.1, 0.25, 0.5, 1, 2, 4, 8, 15, 30, 60],
      registers: [registry],
    }),
    aiCircuitState: new Gauge({
      name: 'crm_ai_circuit_state',
      help: 'State of the OpenAI circuit breaker: 0 closed, 1 half-open, 2 open',
      registers: [registry],
    }),
    aiInboundOutcomes: new Counter({
      name: 'crm_ai_inbound_total',
      help: 'Inbound messages processed by the AI worker, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    aiHandoffs: new Counter({
      name: 'crm_ai_handoffs_total',
      help: 'Conversations handed from the AI assistant to a person, by reason',
      labelNames: ['reason'],
      registers: [registry],
    }),
  };
}
