import { describe, expect, it } from 'vitest';
import { PhoneNumber } from '../../../../src/domain/customer/phone-number.js';
import { ValidationError } from '../../../../src/domain/shared/errors.js';

describe('PhoneNumber.parse', () => {
  it.each([
    ['+52 55 1234 5678', '+525512345678'],
    ['+52 1 55 1234 5678', '+525512345678'], // legacy mobile '1'
    ['5215512345678', '+525512345678'], // WhatsApp wa_id with the legacy '1'
    ['525512345678', '+525512345678'], // WhatsApp wa_id without it
    ['+5215512345678', '+525512345678'],
    ['55 1234 5678', '+525512345678'], // national, default region MX
    ['(55) 1234-5678', '+525512345678'],
    ['5512345678', '+525512345678'], // 10 digits: national
    ['+1 202 555 0123', '+12025550123'],
    ['12025550123', '+12025550123'], // 11 digits without '+': international
    ['4915123456789', '+4915123456789'],
  ])('normalises %s to %s', (raw, e164) => {
    expect(PhoneNumber.parse(raw, 'MX').value).toBe(e164);
  });

  it('maps the Mexican 521 and 52 forms to the same number', () => {
    const legacy = PhoneNumber.parse('5213312345678', 'MX');
    const current = PhoneNumber.parse('523312345678', 'MX');
    expect(legacy.equals(current)).toBe(true);
    expect(legacy.value).toBe('+523312345678');
    expect(legacy.region).toBe('MX');
    expect(legacy.digits).toBe('523312345678');
  });

  it('reads national numbers in the default region', () => {
    expect(PhoneNumber.parse('(202) 555-0123', 'US').value).toBe('+12025550123');
  });

  it.each(['', '   ', 'abc', '123', '+52 55 1234', '+52 1 55 1234 567', '+999 1234 5678', '0'.repeat(80)])(
    'refuses %j with field phoneNumber and code VALIDATION.INVALID_PHONE',
    (raw) => {
      let error: unknown;
      try {
        PhoneNumber.parse(raw, 'MX');
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(ValidationError);
      expect(error).toMatchObject({ field: 'phoneNumber', code: 'VALIDATION.INVALID_PHONE' });
    },
  );

  it('names another field when asked', () => {
    expect(() => PhoneNumber.parse('x', 'MX', 'alternativePhones.0')).toThrow(/alternativePhones\.0/);
  });

  it('answers a repeated input as the first time (remembered results), each error with its own field', () => {
    const first = PhoneNumber.parse('55 1234 5678', 'MX');
    const again = PhoneNumber.parse('55 1234 5678', 'MX');
    expect([again.value, again.region]).toEqual([first.value, first.region]);
    expect(PhoneNumber.parse('55 1234 5678', 'US').value).not.toBe(first.value); // per default region
    expect(() => PhoneNumber.parse('12', 'MX', 'phoneNumber')).toThrow(/phoneNumber/);
    expect(() => PhoneNumber.parse('12', 'MX', 'alternativePhones.1')).toThrow(/alternativePhones\.1/);
  });
});

describe('PhoneNumber.fromE164', () => {
  it('accepts stored E.164 values and refuses anything else', () => {
    expect(PhoneNumber.fromE164('+525512345678').value).toBe('+525512345678');
    expect(() => PhoneNumber.fromE164('525512345678')).toThrow(ValidationError);
    expect(() => PhoneNumber.fromE164('erased:abc')).toThrow(ValidationError);
  });

  it('works out the region of a stored number when asked, like a parsed one', () => {
    expect(PhoneNumber.fromE164('+525512345678').region).toBe('MX');
    expect(PhoneNumber.fromE164('+14155552671').region).toBe('US');
    expect(PhoneNumber.fromE164('+525512345678').region).toBe(PhoneNumber.parse('55 1234 5678', 'MX').region);
  });
});
