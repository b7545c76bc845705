/**
 * A local stand-in for the OpenAI API (real node:http on 127.0.0.1, ephemeral port), enough for the
 * real `openai` SDK pointed at it with `baseURL`:
 * - `POST /v1/conversations` → `{ id: 'conv_…', object: 'conversation', created_at, metadata }`;
 * - `POST /v1/responses` → a completed response whose output is one assistant message with one
 *   `output_text` part. With `conversation`, the input and the output are appended to that
 *   conversation's items (404 when it does not exist). With `text.format` json_schema, the text is
 *   the JSON of `classifier(input)`; otherwise it is `replier(call)`;
 * - a wrong bearer key → 401; scripted faults per path: error bodies
 *   `{ error: { message, type, param, code } }` with any status (429, 500, 401...), and slow answers.
 * Every request is recorded in `requests`.
 */
import { randomBytes } from 'node:crypto';
import {
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type Server,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

/** One `POST /v1/responses`, as the stand-in understood it. */
export interface ResponsesCall {
  model: string;
  instructions?: string;
  conversation?: string;
  /** The input flattened to text (a string input, or the text parts of input items). */
  inputText: string;
  format?: { type: string; name?: string; strict?: boolean; schema?: unknown };
  store?: boolean;
  body: Record<string, unknown>;
}

export interface ErrorFault {
  status: number;
  error?: { message?: string; type?: string; param?: string | null; code?: string | null };
  /** Extra response headers; `retry-after-ms: '5'` is sent by default so SDK retries are quick. */
  headers?: Record<string, string>;
  /** Wait this long before answering with the error. */
  delayMs?: number;
}
/** Answer normally, but only after `delayMs`. */
export interface SlowFault {
  delayMs: number;
}
export type Fault = ErrorFault | SlowFault;

export interface StandInConversation {
  id: string;
  created_at: number;
  metadata: Record<string, string>;
  items: Record<string, unknown>[];
}

export interface Understanding {
  intent: string;
  sentiment: 'positive' | 'neutral' | 'negative';
  confidence: number;
  entities: string[];
  wantsHuman: boolean;
}

export const NEUTRAL_UNDERSTANDING: Understanding = {
  intent: 'product_question',
  sentiment: 'neutral',
  confidence: 0.9,
  entities: [],
  wantsHuman: false,
};

export class OpenAiStandIn {
  readonly requests: RecordedRequest[] = [];
  readonly conversations = new Map<string, StandInConversation>();
  /** What `text.format` json_schema calls answer (as JSON). */
  classifier: (inputText: string, call: ResponsesCall) => unknown = () => NEUTRAL_UNDERSTANDING;
  /** What other responses answer. */
  replier: (call: ResponsesCall) => string = (call) =>
    call.conversation
      ? `Respuesta a: ${call.inputText}`
      : `Texto para el agente (${call.inputText.length} caracteres)`;
  apiKey = 'sk-test-key';
  /** Requests being answered right now, and the most seen at once (concurrency checks). */
  inFlight = 0;
  maxInFlight = 0;

  readonly #scripts = new Map<string, Fault[]>();
  readonly #always = new Map<string, Fault>();
  #seq = 0;

  private constructor(
    private readonly server: Server,
    readonly origin: string,
  ) {}

  static async start(): Promise<OpenAiStandIn> {
    let standIn: OpenAiStandIn | undefined;
    const server = createServer((req, res) => {
      const s = standIn!;
      s.inFlight += 1;
      s.maxInFlight = Math.max(s.maxInFlight, s.inFlight);
      s.handle(req, res)
        .catch((error: unknown) => {
          if (!res.headersSent)
            send(res, 500, {
              error: { message: String(error), type: 'server_error', param: null, code: null },
            });
        })
        .finally(() => {
          s.inFlight -= 1;
        });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const { port } = server.address() as AddressInfo;
    standIn = new OpenAiStandIn(server, `http://127.0.0.1:${port}`);
    return standIn;
  }

  /** The SDK's `baseURL`. */
  get baseURL(): string {
    return `${this.origin}/v1`;
  }

  /** The next `times` requests to `path` (e.g. '/v1/responses') get `fault`. */
  script(path: string, fault: Fault, times = 1): this {
    const queue = this.#scripts.get(path) ?? [];
    for (let i = 0; i < times; i++) queue.push(fault);
    this.#scripts.set(path, queue);
    return this;
  }

  /** Every request to `path` gets `fault` until `always(path, undefined)`. */
  always(path: string, fault: Fault | undefined): this {
    if (fault) this.#always.set(path, fault);
    else this.#always.delete(path);
    return this;
  }

  /** Forgets scripts, recorded requests and conversations; restores the default classifier/replier. */
  reset(): void {
    this.#scripts.clear();
    this.#always.clear();
    this.requests.length = 0;
    this.conversations.clear();
    this.maxInFlight = this.inFlight;
    this.classifier = () => NEUTRAL_UNDERSTANDING;
    this.replier = (call) =>
      call.conversation
        ? `Respuesta a: ${call.inputText}`
        : `Texto para el agente (${call.inputText.length} caracteres)`;
  }

  /** Recorded requests to `path`. */
  requestsTo(path: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  /** Recorded `POST /v1/responses` bodies, as ResponsesCall. */
  responsesCalls(): ResponsesCall[] {
    return this.requestsTo('/v1/responses').map((r) => toCall(r.body));
  }

  async close(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const raw = await readBody(req);
    const path = (req.url ?? '/').split('?')[0]!;
    let body: Record<string, unknown> = {};
    try {
      body = raw.length > 0 ? (JSON.parse(raw) as Record<string, unknown>) : {};
    } catch {
      return send(res, 400, errorBody('Invalid JSON body', 'invalid_request_error'));
    }
    this.requests.push({ method: req.method ?? 'GET', path, headers: req.headers, body });

    if (req.headers.authorization !== `Bearer ${this.apiKey}`) {
      return send(
        res,
        401,
        errorBody('Incorrect API key provided.', 'invalid_request_error', null, 'invalid_api_key'),
      );
    }

    const fault = this.#scripts.get(path)?.shift() ?? this.#always.get(path);
    if (fault?.delayMs) {
      const cancelled = await waitUnlessClosed(res, fault.delayMs);
      if (cancelled) return;
    }
    if (fault && 'status' in fault) {
      const error = {
        message: fault.error?.message ?? `Scripted ${fault.status}`,
        type:
          fault.error?.type ??
          (fault.status === 429
            ? 'rate_limit_exceeded'
            : fault.status >= 500
              ? 'server_error'
              : 'invalid_request_error'),
        param: fault.error?.param ?? null,
        code: fault.error?.code ?? null,
      };
      return send(res, fault.status, { error }, { 'retry-after-ms': '5', ...fault.headers });
    }

    if (req.method === 'POST' && path === '/v1/conversations') return this.createConversation(body, res);
    if (req.method === 'POST' && path === '/v1/responses') return this.createResponse(body, res);
    return send(res, 404, errorBody(`Unknown path ${req.method} ${path}`, 'invalid_request_error'));
  }

  private createConversation(body: Record<string, unknown>, res: ServerResponse): void {
    const conversation: StandInConversation = {
      id: `conv_${this.#nextId()}`,
      created_at: Math.floor(Date.now() / 1000),
      metadata: (body.metadata as Record<string, string> | undefined) ?? {},
      items: [],
    };
    this.conversations.set(conversation.id, conversation);
    send(res, 200, {
      id: conversation.id,
      object: 'conversation',
      created_at: conversation.created_at,
      metadata: conversation.metadata,
    });
  }

  private createResponse(body: Record<string, unknown>, res: ServerResponse): void {
    const call = toCall(body);
    if (typeof body.model !== 'string' || body.model.length === 0) {
      send(res, 400, errorBody('Missing required parameter: model.', 'invalid_request_error', 'model'));
      return;
    }
    if (body.previous_response_id !== undefined && body.conversation !== undefined) {
      send(
        res,
        400,
        errorBody(
          'previous_response_id cannot be used together with conversation.',
          'invalid_request_error',
          'conversation',
        ),
      );
      return;
    }
    const conversation = call.conversation ? this.conversations.get(call.conversation) : undefined;
    if (call.conversation && !conversation) {
      send(
        res,
        404,
        errorBody(
          `Conversation with id '${call.conversation}' not found.`,
          'invalid_request_error',
          'conversation',
        ),
      );
      return;
    }
    const text =
      call.format?.type === 'json_schema'
        ? JSON.stringify(this.classifier(call.inputText, call))
        : this.replier(call);
    const messageItem = {
      id: `msg_${this.#nextId()}`,
      type: 'message',
      status: 'completed',
      role: 'assistant',
      content: [{ type: 'output_text', text, annotations: [] }],
    };
    if (conversation) {
      conversation.items.push({
        type: 'message',
        role: 'user',
        content: [{ type: 'input_text', text: call.inputText }],
      });
      conversation.items.push(messageItem);
    }
    send(res, 200, {
      id: `resp_${this.#nextId()}`,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status: 'completed',
      model: body.model,
      instructions: call.instructions ?? null,
      ...(conversation ? { conversation: { id: conversation.id } } : { conversation: null }),
      output: [messageItem],
      parallel_tool_calls: true,
      tool_choice: 'auto',
      tools: [],
      store: body.store ?? true,
      text: body.text ?? { format: { type: 'text' } },
      error: null,
      incomplete_details: null,
      usage: {
        input_tokens: Math.ceil(call.inputText.length / 4),
        input_tokens_details: { cached_tokens: 0 },
        output_tokens: Math.ceil(text.length / 4),
        output_tokens_details: { reasoning_tokens: 0 },
        total_tokens: Math.ceil((call.inputText.length + text.length) / 4),
      },
    });
  }

  #nextId(): string {
    this.#seq += 1;
    return `${this.#seq.toString(16).padStart(4, '0')}${randomBytes(8).toString('hex')}`;
  }
}

function toCall(body: Record<string, unknown>): ResponsesCall {
  const text = body.text as { format?: ResponsesCall['format'] } | undefined;
  const conversation =
    typeof body.conversation === 'string'
      ? body.conversation
      : (body.conversation as { id?: string } | undefined)?.id;
  return {
    model: String(body.model ?? ''),
    ...(typeof body.instructions === 'string' ? { instructions: body.instructions } : {}),
    ...(conversation ? { conversation } : {}),
    inputText: flattenInput(body.input),
    ...(text?.format ? { format: text.format } : {}),
    ...(typeof body.store === 'boolean' ? { store: body.store } : {}),
    body,
  };
}

function flattenInput(input: unknown): string {
  if (typeof input === 'string') return input;
  if (!Array.isArray(input)) return '';
  return input
    .map((item: { content?: unknown }) => {
      if (typeof item.content === 'string') return item.content;
      if (Array.isArray(item.content))
        return item.content.map((part: { text?: string }) => part.text ?? '').join('');
      return '';
    })
    .join('\n');
}

function errorBody(message: string, type: string, param: string | null = null, code: string | null = null) {
  return { error: { message, type, param, code } };
}

function send(
  res: ServerResponse,
  status: number,
  body: unknown,
  headers: Record<string, string> = {},
): void {
  if (res.destroyed || res.writableEnded) return;
  const json = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(json),
    'x-request-id': `req_${randomBytes(6).toString('hex')}`,
    ...headers,
  });
  res.end(json);
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

/** Waits `ms`; resolves true early when the client hung up (it timed out or aborted). */
function waitUnlessClosed(res: ServerResponse, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      res.off('close', onClose);
      resolve(false);
    }, ms);
    const onClose = () => {
      clearTimeout(timer);
      resolve(true);
    };
    res.once('close', onClose);
  });
}
