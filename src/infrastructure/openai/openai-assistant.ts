/**
 * The AiAssistant port on OpenAI (the `openai` v6 SDK): Conversations for the server-side state of
 * a customer's chat (`threadId` = conversation id), Responses for every answer. Replies run inside
 * the conversation (`conversation: threadId`, which stores both turns; `previous_response_id` is never
 * combined with it); classification, summaries and drafts are stateless (`store: false`).
 *
 * Resilience, from the inside out:
 * - per-attempt HTTP timeout (`timeout`) and SDK retries (`maxRetries`, default 2) with exponential
 *   back-off on 408/409/429/5xx and connection errors (the SDK honours Retry-After / retry-after-ms);
 * - an overall deadline per call, retries and back-off included: the caller never waits longer;
 * - a circuit breaker over all calls: after `failureThreshold` consecutive failed calls (timeouts,
 *   connection errors, 429/5xx/401/403 after the retries) it opens and every call fails at once
 *   with `circuit_open` for `coolDownMs`; then one trial call decides (half-open).
 * Every failure is an AiAssistantError with a `kind` (see the port).
 */
import OpenAI, { APIConnectionError, APIConnectionTimeoutError, APIError, APIUserAbortError } from 'openai';
import { z } from 'zod';
import {
  type AiAssistant,
  AiAssistantError,
  type AiFailureKind,
  type MessageUnderstanding,
} from '../../application/ports/gateways.js';
import type { Metrics } from '../metrics.js';
import { CircuitBreaker, CircuitOpenError, type CircuitState } from './circuit-breaker.js';

export type AiOperation = 'startThread' | 'reply' | 'classify' | 'summarize' | 'draftReply';

type PerOperation = number | Partial<Record<AiOperation, number>>;

export interface OpenAiAssistantOptions {
  apiKey: string;
  /** OPENAI_BASE_URL (a proxy, Azure-compatible gateway or a stand-in server); default OpenAI's. */
  baseURL?: string | undefined;
  /** Per-attempt HTTP timeout in ms, for all operations or per operation. */
  timeoutMs?: PerOperation;
  /** Overall deadline of one call in ms (every attempt and back-off included). */
  deadlineMs?: PerOperation;
  /** SDK retries after the first attempt (429/5xx/timeouts/connection errors). Default 2. */
  maxRetries?: number;
  breaker?: { failureThreshold?: number; coolDownMs?: number; now?: () => number };
  log?: {
    warn(obj: Record<string, unknown>, msg: string): void;
    info?(obj: Record<string, unknown>, msg: string): void;
  };
  metrics?: Pick<Metrics, 'aiRequests' | 'aiRequestDuration' | 'aiCircuitState'>;
}

const DEFAULT_TIMEOUT_MS: Record<AiOperation, number> = {
  startThread: 10_000,
  reply: 25_000,
  classify: 10_000,
  summarize: 25_000,
  draftReply: 25_000,
};
const DEFAULT_DEADLINE_MS: Record<AiOperation, number> = {
  startThread: 20_000,
  reply: 45_000,
  classify: 20_000,
  summarize: 40_000,
  draftReply: 40_000,
};

/** Failures that say something about the service's health (they feed the circuit breaker). */
const BREAKER_FAILURES: ReadonlySet<AiFailureKind> = new Set([
  'timeout',
  'rate_limited',
  'unavailable',
  'server_error',
  'auth',
]);

const CIRCUIT_GAUGE: Record<CircuitState, number> = { closed: 0, half_open: 1, open: 2 };

// ---- prompts and schemas ---------------------------------------------------------------------

const CLASSIFY_INSTRUCTIONS = [
  'You read one message a customer sent to a business on WhatsApp and describe it for the customer-service system.',
  'intent: a short snake_case label of what the customer wants (for example greeting, order_status, billing, ',
  'technical_support, product_question, complaint, cancellation, human_request, other).',
  'sentiment: positive, neutral or negative (negative when the customer is upset, angry or frustrated).',
  'confidence: a number from 0 to 1, how sure you are that you understood what the customer wants.',
  'entities: the concrete things mentioned (order numbers, products, dates, amounts), as short strings; empty if none.',
  'wantsHuman: true only if the customer asks to talk to a person, a human, an agent or an advisor.',
].join('');

const UNDERSTANDING_SCHEMA = {
  type: 'object',
  additionalProperties: false,
  required: ['intent', 'sentiment', 'confidence', 'entities', 'wantsHuman'],
  properties: {
    intent: { type: 'string', description: 'snake_case label of what the customer wants' },
    sentiment: { type: 'string', enum: ['positive', 'neutral', 'negative'] },
    confidence: { type: 'number', description: '0..1' },
    entities: { type: 'array', items: { type: 'string' } },
    wantsHuman: { type: 'boolean' },
  },
} as const;

const understandingSchema = z.object({
  intent: z.string(),
  sentiment: z.enum(['positive', 'neutral', 'negative']),
  confidence: z.number(),
  entities: z.array(z.string()),
  wantsHuman: z.boolean(),
});

const SUMMARY_INSTRUCTIONS = {
  handoff:
    'You hand a WhatsApp customer-service conversation from the virtual assistant to a human agent. ' +
    'Write a short note for the agent (at most 5 lines): what the customer wants, the relevant details ' +
    '(order numbers, products, dates), what the assistant already answered or tried, and what is still open. ' +
    'Write in the language of the conversation. No greeting, no preamble.',
  overview:
    'Summarize this WhatsApp customer-service conversation for an agent in at most 6 lines: who the customer ' +
    'is (only what they said), what they want, what has been answered or done, and what is still pending. ' +
    'Write in the language of the conversation. No greeting, no preamble.',
} as const;

const DRAFT_SUFFIX =
  '\n\nYou are drafting the next WhatsApp message an agent of the business will send to the customer in ' +
  'the conversation below. Reply with the message text only, ready to send, in the language of the ' +
  'customer; do not invent facts (prices, dates, policies) that are not in the conversation.';

// ---- adapter ---------------------------------------------------------------------------------

export class OpenAiAssistant implements AiAssistant {
  readonly #client: OpenAI;
  readonly #breaker: CircuitBreaker;
  readonly #maxRetries: number;

  constructor(private readonly options: OpenAiAssistantOptions) {
    this.#maxRetries = options.maxRetries ?? 2;
    this.#client = new OpenAI({
      apiKey: options.apiKey,
      ...(options.baseURL ? { baseURL: options.baseURL } : {}),
      maxRetries: this.#maxRetries,
      timeout: DEFAULT_TIMEOUT_MS.reply,
    });
    this.#breaker = new CircuitBreaker({
      failureThreshold: options.breaker?.failureThreshold ?? 5,
      coolDownMs: options.breaker?.coolDownMs ?? 30_000,
      ...(options.breaker?.now ? { now: options.breaker.now } : {}),
      isFailure: (error) => error instanceof AiAssistantError && BREAKER_FAILURES.has(error.kind),
      onStateChange: (state) => {
        options.metrics?.aiCircuitState.set(CIRCUIT_GAUGE[state]);
        options.log?.warn({ component: 'openai', circuit: state }, `OpenAI circuit breaker ${state}`);
      },
    });
  }

  /** The breaker's state (for /readyz-style diagnostics and tests). */
  get circuitState(): CircuitState {
    return this.#breaker.state;
  }

  startThread(metadata: Record<string, string>): Promise<string> {
    return this.#call('startThread', async (request) => {
      const conversation = await this.#client.conversations.create(
        { metadata: cleanMetadata(metadata) },
        request,
      );
      if (!conversation.id) throw invalidOutput('startThread', 'the conversation has no id');
      return conversation.id;
    });
  }

  reply(input: { threadId: string; model: string; instructions: string; text: string }): Promise<string> {
    return this.#call('reply', async (request) => {
      const response = await this.#client.responses.create(
        {
          model: input.model,
          conversation: input.threadId,
          instructions: input.instructions,
          input: input.text,
        },
        request,
      );
      return textOf('reply', response);
    });
  }

  classify(input: { text: string; model: string }): Promise<MessageUnderstanding> {
    return this.#call('classify', async (request) => {
      const response = await this.#client.responses.create(
        {
          model: input.model,
          instructions: CLASSIFY_INSTRUCTIONS,
          input: input.text,
          store: false,
          text: {
            format: {
              type: 'json_schema',
              name: 'message_understanding',
              strict: true,
              schema: UNDERSTANDING_SCHEMA,
            },
          },
        },
        request,
      );
      const raw = textOf('classify', response);
      let parsed: z.infer<typeof understandingSchema>;
      try {
        parsed = understandingSchema.parse(JSON.parse(raw));
      } catch (error) {
        throw invalidOutput('classify', 'the answer does not match the message_understanding schema', error);
      }
      const intent = parsed.intent.trim().slice(0, 100) || 'unknown';
      const confidence = Number.isFinite(parsed.confidence) ? Math.min(1, Math.max(0, parsed.confidence)) : 0;
      const entities = [...new Set(parsed.entities.map((e) => e.trim()).filter((e) => e.length > 0))].slice(
        0,
        20,
      );
      return { intent, sentiment: parsed.sentiment, confidence, entities, wantsHuman: parsed.wantsHuman };
    });
  }

  summarize(input: { model: string; transcript: string; purpose?: 'handoff' | 'overview' }): Promise<string> {
    return this.#call('summarize', async (request) => {
      const response = await this.#client.responses.create(
        {
          model: input.model,
          instructions: SUMMARY_INSTRUCTIONS[input.purpose ?? 'overview'],
          input: input.transcript,
          store: false,
        },
        request,
      );
      return textOf('summarize', response);
    });
  }

  draftReply(input: { model: string; instructions: string; transcript: string }): Promise<string> {
    return this.#call('draftReply', async (request) => {
      const response = await this.#client.responses.create(
        {
          model: input.model,
          instructions: `${input.instructions}${DRAFT_SUFFIX}`,
          input: input.transcript,
          store: false,
        },
        request,
      );
      return textOf('draftReply', response);
    });
  }

  /** Runs one operation through the breaker, with its timeout, retries and overall deadline. */
  async #call<T>(
    operation: AiOperation,
    call: (request: { timeout: number; maxRetries: number; signal: AbortSignal }) => Promise<T>,
  ): Promise<T> {
    const started = performance.now();
    const timeout = pick(this.options.timeoutMs, operation, DEFAULT_TIMEOUT_MS);
    const deadlineMs = pick(this.options.deadlineMs, operation, DEFAULT_DEADLINE_MS);
    try {
      const value = await this.#breaker.run(async () => {
        try {
          return await withDeadline(operation, deadlineMs, (signal) =>
            call({ timeout, maxRetries: this.#maxRetries, signal }),
          );
        } catch (error) {
          throw toAiError(operation, error); // mapped here: the breaker counts by kind
        }
      });
      this.#observe(operation, 'ok', started);
      return value;
    } catch (error) {
      const failure =
        error instanceof CircuitOpenError
          ? new AiAssistantError(`OpenAI ${operation} refused: ${error.message}`, 'circuit_open', undefined, {
              cause: error,
            })
          : toAiError(operation, error);
      this.#observe(operation, failure.kind, started);
      if (failure.kind !== 'circuit_open') {
        this.options.log?.warn(
          {
            component: 'openai',
            operation,
            kind: failure.kind,
            status: failure.status,
            err: failure.message,
          },
          'OpenAI call failed',
        );
      }
      throw failure;
    }
  }

  #observe(operation: AiOperation, outcome: string, started: number): void {
    const metrics = this.options.metrics;
    if (!metrics) return;
    metrics.aiRequests.inc({ operation, outcome });
    metrics.aiRequestDuration.observe({ operation }, (performance.now() - started) / 1000);
  }
}

// ---- helpers ---------------------------------------------------------------------------------

function pick(
  value: PerOperation | undefined,
  operation: AiOperation,
  defaults: Record<AiOperation, number>,
): number {
  if (typeof value === 'number') return value;
  return value?.[operation] ?? defaults[operation];
}

/**
 * Runs `call` with an AbortSignal that fires after `ms`, and rejects at that moment even if the SDK
 * is sleeping between retries (it only checks the signal before the next attempt).
 */
async function withDeadline<T>(
  operation: AiOperation,
  ms: number,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const expired = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new AiAssistantError(`OpenAI ${operation} timed out after ${ms} ms`, 'timeout'));
    }, ms);
  });
  try {
    return await Promise.race([call(controller.signal), expired]);
  } catch (error) {
    if (controller.signal.aborted && !(error instanceof AiAssistantError)) {
      throw new AiAssistantError(`OpenAI ${operation} timed out after ${ms} ms`, 'timeout', undefined, {
        cause: error,
      });
    }
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

function toAiError(operation: AiOperation, error: unknown): AiAssistantError {
  if (error instanceof AiAssistantError) return error;
  const say = (kind: AiFailureKind, status?: number) =>
    new AiAssistantError(
      `OpenAI ${operation} failed (${kind}${status ? ` ${status}` : ''}): ${error instanceof Error ? error.message : String(error)}`,
      kind,
      status,
      { cause: error },
    );
  if (error instanceof APIConnectionTimeoutError) return say('timeout');
  if (error instanceof APIUserAbortError) return say('timeout');
  if (error instanceof APIConnectionError) return say('unavailable');
  if (error instanceof APIError) {
    const status = error.status;
    if (status === undefined) return say('unavailable');
    if (status === 429) return say('rate_limited', status);
    if (status === 408) return say('timeout', status);
    if (status >= 500) return say('server_error', status);
    if (status === 401 || status === 403) return say('auth', status);
    if (status === 404) return say('not_found', status);
    return say('bad_request', status);
  }
  return say('unavailable');
}

function invalidOutput(operation: AiOperation, why: string, cause?: unknown): AiAssistantError {
  return new AiAssistantError(
    `OpenAI ${operation} answered unexpectedly: ${why}`,
    'invalid_output',
    undefined,
    {
      cause,
    },
  );
}

/** The response's text (`output_text`, the SDK's join of the output_text parts), refused when empty. */
function textOf(
  operation: AiOperation,
  response: { output_text?: string; status?: string | undefined },
): string {
  const text = (response.output_text ?? '').trim();
  if (!text)
    throw invalidOutput(operation, `no text in the response (status ${response.status ?? 'unknown'})`);
  return text;
}

/** OpenAI metadata: at most 16 pairs, keys ≤ 64 characters, values ≤ 512. */
function cleanMetadata(metadata: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(metadata).slice(0, 16)) {
    if (typeof value !== 'string') continue;
    out[key.slice(0, 64)] = value.slice(0, 512);
  }
  return out;
}
