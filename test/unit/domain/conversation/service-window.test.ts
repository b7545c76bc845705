import { describe, expect, it } from 'vitest';
import {
  assertCanSendFreeForm,
  isWindowOpen,
  windowClosesAt,
} from '../../../../src/domain/conversation/service-window.js';
import { MESSAGE_TYPES, type MessageType } from '../../../../src/domain/message/message.types.js';
import { BusinessRuleError } from '../../../../src/domain/shared/errors.js';
import { aConversation, minutesAfter, T0 } from '../../../support/builders/conversation.js';

const HOUR = 60;

function catchError(fn: () => void): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('isWindowOpen / windowClosesAt', () => {
  it('is open 23:59 after the last customer message', () => {
    expect(isWindowOpen(T0, minutesAfter(23 * HOUR + 59))).toBe(true);
  });

  it('is open one millisecond before 24 h and closed at exactly 24 h', () => {
    expect(isWindowOpen(T0, new Date(T0.getTime() + 24 * 3_600_000 - 1))).toBe(true);
    expect(isWindowOpen(T0, minutesAfter(24 * HOUR))).toBe(false);
  });

  it('is closed after 24 h', () => {
    expect(isWindowOpen(T0, minutesAfter(25 * HOUR))).toBe(false);
  });

  it('is closed when the customer never wrote', () => {
    expect(isWindowOpen(undefined, T0)).toBe(false);
    expect(windowClosesAt(undefined)).toBeUndefined();
  });

  it('is open right after the message (and with a slightly future timestamp: clock skew)', () => {
    expect(isWindowOpen(T0, T0)).toBe(true);
    expect(isWindowOpen(minutesAfter(1), T0)).toBe(true);
  });

  it('closes 24 h after the last customer message', () => {
    expect(windowClosesAt(T0)).toEqual(minutesAfter(24 * HOUR));
  });
});

describe('assertCanSendFreeForm', () => {
  const freeForm = MESSAGE_TYPES.filter((t) => t !== 'template') as MessageType[];

  it.each(freeForm)('allows %s inside the window', (type) => {
    const c = aConversation().withLastCustomerMessage(T0).build();
    expect(() => assertCanSendFreeForm(c, type, minutesAfter(23 * HOUR + 59))).not.toThrow();
  });

  it.each(freeForm)('refuses %s outside the window with MESSAGE.WINDOW_CLOSED', (type) => {
    const c = aConversation().withLastCustomerMessage(T0).build();
    const error = catchError(() => assertCanSendFreeForm(c, type, minutesAfter(24 * HOUR)));
    expect(error).toBeInstanceOf(BusinessRuleError);
    expect(error).toMatchObject({ code: 'MESSAGE.WINDOW_CLOSED', kind: 'rule' });
    expect((error as Error).message).toMatch(/template/i);
    expect((error as Error).message).toMatch(/24 hours/);
  });

  it('refuses free-form when the customer never wrote, telling to use a template', () => {
    const c = aConversation().build();
    const error = catchError(() => assertCanSendFreeForm(c, 'text', T0));
    expect(error).toMatchObject({ code: 'MESSAGE.WINDOW_CLOSED' });
    expect((error as Error).message).toMatch(/template/i);
  });

  it('always allows templates: no customer message, and long after the window', () => {
    expect(() => assertCanSendFreeForm(aConversation().build(), 'template', T0)).not.toThrow();
    const c = aConversation().withLastCustomerMessage(T0).build();
    expect(() => assertCanSendFreeForm(c, 'template', minutesAfter(30 * 24 * HOUR))).not.toThrow();
  });

  it('works with primitives too', () => {
    const p = aConversation().withLastCustomerMessage(T0).buildPrimitives();
    expect(() => assertCanSendFreeForm(p, 'text', minutesAfter(HOUR))).not.toThrow();
  });

  it('a new customer message reopens the window', () => {
    const c = aConversation().withLastCustomerMessage(T0).build();
    const later = minutesAfter(48 * HOUR);
    expect(() => assertCanSendFreeForm(c, 'text', later)).toThrow();
    c.recordInboundMessage({ content: 'hola', type: 'text', at: minutesAfter(47 * HOUR) });
    expect(() => assertCanSendFreeForm(c, 'text', later)).not.toThrow();
  });
});
