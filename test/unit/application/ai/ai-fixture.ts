/**
 * Shared set-up of the AI use-case tests: in-memory ports (test-ports.ts) whose `ai` port is the
 * REAL OpenAI adapter (real `openai` SDK) talking to the local stand-in server, the real inbound
 * flow to create messages, and small helpers for settings and lookups.
 */
import { ProcessInboundWithAi } from '../../../../src/application/ai/process-inbound-with-ai.js';
import {
  type InboundMessage,
  type InboundResult,
  ReceiveInboundMessage,
} from '../../../../src/application/messages/receive-inbound-message.js';
import {
  defaultSettings,
  type SettingKey,
  type SettingValue,
} from '../../../../src/domain/settings/setting-definitions.js';
import type { Id } from '../../../../src/domain/shared/ids.js';
import {
  OpenAiAssistant,
  type OpenAiAssistantOptions,
} from '../../../../src/infrastructure/openai/openai-assistant.js';
import type { OpenAiStandIn } from '../../../support/openai-stand-in.js';
import { makeTestPorts, type TestPorts } from '../../../support/test-ports.js';

export interface AiFixture {
  ports: TestPorts;
  assistant: OpenAiAssistant;
  process: ProcessInboundWithAi;
  /** A customer's text message through the real inbound flow, sent "now" (TestClock). */
  receive(content: string, overrides?: Partial<InboundMessage>): Promise<InboundResult>;
  setSetting<K extends SettingKey>(key: K, value: SettingValue<K>): Promise<void>;
  /** Outbound messages of the conversation (newest first). */
  outbound(
    conversationId: Id,
  ): Promise<Awaited<ReturnType<TestPorts['messages']['listByConversation']>>['items']>;
}

let counter = 0;

export function makeAiFixture(
  standIn: OpenAiStandIn,
  options: Partial<OpenAiAssistantOptions> & { withoutAssistant?: boolean } = {},
): AiFixture {
  const { withoutAssistant, ...assistantOptions } = options;
  const base = makeTestPorts();
  const assistant = new OpenAiAssistant({
    apiKey: standIn.apiKey,
    baseURL: standIn.baseURL,
    maxRetries: 0,
    timeoutMs: 2_000,
    ...assistantOptions,
    breaker: {
      failureThreshold: 5,
      coolDownMs: 60_000,
      now: () => base.clock.now().getTime(),
      ...assistantOptions.breaker,
    },
  });
  const ports: TestPorts = withoutAssistant ? base : Object.assign(base, { ai: assistant });
  const receiver = new ReceiveInboundMessage(ports);
  return {
    ports,
    assistant,
    process: new ProcessInboundWithAi(ports),
    receive(content, overrides = {}) {
      counter += 1;
      return receiver.execute({
        whatsappMessageId: `wamid.AI${counter}`,
        from: '5215512345678',
        profileName: 'Ana López',
        phoneNumberId: '106540352242922',
        timestamp: ports.clock.now(),
        type: 'text',
        content,
        ...overrides,
      });
    },
    async setSetting(key, value) {
      const [record] = defaultSettings(ports.clock.now(), () => ports.ids.next()).filter(
        (s) => s.key === key,
      );
      await ports.settings.put({ ...record!, value });
    },
    async outbound(conversationId) {
      const page = await ports.messages.listByConversation(conversationId, { limit: 100 });
      return page.items.filter((m) => m.direction === 'outbound');
    },
  };
}
