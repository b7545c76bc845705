import { describe, expect, it } from 'vitest';
import {
  type AiReplyFacts,
  decideAiReply,
  handoffReasonFor,
  modelFor,
} from '../../../../src/domain/ai/ai-policy.js';
import { DEFAULT_BUSINESS_HOURS } from '../../../../src/domain/sla/business-hours.js';

/** Monday 2026-03-02 10:00 in Mexico City: inside the default business hours. */
const MONDAY_10AM = new Date('2026-03-02T16:00:00Z');
/** Saturday 2026-03-07 10:00 in Mexico City: outside (weekends closed by default). */
const SATURDAY_10AM = new Date('2026-03-07T16:00:00Z');

function facts(
  overrides: {
    assistantConfigured?: boolean;
    settings?: Partial<AiReplyFacts['settings']>;
    conversation?: Partial<AiReplyFacts['conversation']>;
    customer?: Partial<AiReplyFacts['customer']>;
    message?: Partial<AiReplyFacts['message']>;
    now?: Date;
  } = {},
): AiReplyFacts {
  const now = overrides.now ?? MONDAY_10AM;
  return {
    assistantConfigured: overrides.assistantConfigured ?? true,
    settings: {
      responseEnabled: true,
      responseHours: 'always',
      businessHours: DEFAULT_BUSINESS_HOURS,
      timezone: 'America/Mexico_City',
      ...overrides.settings,
    },
    conversation: {
      status: 'open',
      isAIEnabled: true,
      autoResponses: true,
      lastCustomerMessage: new Date(now.getTime() - 60_000),
      ...overrides.conversation,
    },
    customer: { isBlocked: false, ...overrides.customer },
    message: {
      direction: 'inbound',
      sender: 'customer',
      type: 'text',
      content: '¿Tienen envío?',
      ...overrides.message,
    },
    now,
  };
}

describe('decideAiReply: the assistant answers only when every condition holds', () => {
  it('answers when all conditions hold', () => {
    expect(decideAiReply(facts())).toEqual({ reply: true });
  });

  it.each([
    ['no assistant configured', facts({ assistantConfigured: false }), 'assistant_not_configured'],
    [
      'an outbound message',
      facts({ message: { direction: 'outbound', sender: 'agent' } }),
      'not_customer_message',
    ],
    [
      'an image (no text to read)',
      facts({ message: { type: 'image', content: '[image]' } }),
      'unsupported_type',
    ],
    ['blank text', facts({ message: { content: '   ' } }), 'unsupported_type'],
    ['ai_response_enabled off', facts({ settings: { responseEnabled: false } }), 'ai_disabled_globally'],
    ['a closed conversation', facts({ conversation: { status: 'closed' } }), 'conversation_closed'],
    [
      'isAIEnabled off (hand-off or a human took over)',
      facts({ conversation: { isAIEnabled: false } }),
      'ai_disabled_for_conversation',
    ],
    ['autoResponses off', facts({ conversation: { autoResponses: false } }), 'auto_responses_off'],
    ['a blocked customer', facts({ customer: { isBlocked: true } }), 'customer_blocked'],
    [
      'outside_business_hours mode, during business hours',
      facts({ settings: { responseHours: 'outside_business_hours' } }),
      'inside_business_hours',
    ],
    [
      'the 24-hour window closed (customer wrote exactly 24 h ago)',
      facts({ conversation: { lastCustomerMessage: new Date(MONDAY_10AM.getTime() - 24 * 3_600_000) } }),
      'window_closed',
    ],
    [
      'no customer message at all',
      facts({ conversation: { lastCustomerMessage: undefined } }),
      'window_closed',
    ],
  ])('declines for %s', (_label, input, reason) => {
    expect(decideAiReply(input)).toEqual({ reply: false, reason });
  });

  it('answers readable interactive and button replies', () => {
    expect(decideAiReply(facts({ message: { type: 'interactive', content: 'Ver pedidos' } })).reply).toBe(
      true,
    );
    expect(decideAiReply(facts({ message: { type: 'button', content: 'Sí' } })).reply).toBe(true);
  });

  it('outside_business_hours mode answers at night and on weekends', () => {
    const weekend = facts({ settings: { responseHours: 'outside_business_hours' }, now: SATURDAY_10AM });
    expect(decideAiReply(weekend)).toEqual({ reply: true });
    const night = facts({
      settings: { responseHours: 'outside_business_hours' },
      now: new Date('2026-03-03T04:00:00Z'), // Monday 22:00 in Mexico City
    });
    expect(decideAiReply(night)).toEqual({ reply: true });
  });

  it('outside_business_hours mode with a 24/7 calendar (no day enabled) never answers', () => {
    const closedAll = Object.fromEntries(
      Object.entries(DEFAULT_BUSINESS_HOURS).map(([day, h]) => [day, { ...h, enabled: false }]),
    ) as typeof DEFAULT_BUSINESS_HOURS;
    const decision = decideAiReply(
      facts({
        settings: { responseHours: 'outside_business_hours', businessHours: closedAll },
        now: SATURDAY_10AM,
      }),
    );
    expect(decision).toEqual({ reply: false, reason: 'inside_business_hours' });
  });

  it('reports the first unmet condition in the documented order', () => {
    const many = facts({
      settings: { responseEnabled: false },
      conversation: { isAIEnabled: false },
      customer: { isBlocked: true },
    });
    expect(decideAiReply(many)).toEqual({ reply: false, reason: 'ai_disabled_globally' });
  });
});

describe('handoffReasonFor', () => {
  const ok = { sentiment: 'neutral' as const, confidence: 0.9, wantsHuman: false };

  it('keeps the assistant when the customer is calm, clear and not asking for a person', () => {
    expect(handoffReasonFor(ok, 0.5)).toBeUndefined();
  });

  it('hands off when the customer asks for a person, first of all', () => {
    expect(handoffReasonFor({ sentiment: 'negative', confidence: 0.1, wantsHuman: true }, 0.5)).toBe(
      'customer_asked_for_human',
    );
  });

  it('hands off on negative sentiment, then on confidence below the threshold', () => {
    expect(handoffReasonFor({ ...ok, sentiment: 'negative', confidence: 0.1 }, 0.5)).toBe(
      'negative_sentiment',
    );
    expect(handoffReasonFor({ ...ok, confidence: 0.49 }, 0.5)).toBe('low_confidence');
    expect(handoffReasonFor({ ...ok, confidence: 0.5 }, 0.5)).toBeUndefined(); // at the threshold: keeps it
  });
});

describe('modelFor', () => {
  it('uses the conversation model when it is set to something else than the seed default', () => {
    expect(modelFor('gpt-4.1', 'gpt-4o-mini')).toBe('gpt-4.1');
    expect(modelFor('gpt-4', 'gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(modelFor(undefined, 'gpt-4o-mini')).toBe('gpt-4o-mini');
    expect(modelFor('  ', 'gpt-4o-mini')).toBe('gpt-4o-mini');
  });
});
