import { type CountryCode, isSupportedCountry, parsePhoneNumberFromString } from 'libphonenumber-js';
import { ValidationError } from '../shared/errors.js';

export type PhoneRegion = CountryCode;

export const INVALID_PHONE = 'VALIDATION.INVALID_PHONE';

const E164 = /^\+[1-9]\d{6,14}$/;

/** PhoneNumber.parse's memory: `region|raw` → the number, or INVALID (oldest dropped past PARSED_MAX). */
const INVALID = Symbol('invalid phone number');
const PARSED_MAX = 10_000;
const PARSED = new Map<string, { value: string; region: PhoneRegion | undefined } | typeof INVALID>();
const SEPARATORS = /[\s\-().]/g;

/**
 * A phone number normalised to E.164 (`+525512345678`), the form customers are stored and
 * looked up by.
 *
 * Input accepted: international (`+52 1 55 1234 5678`), WhatsApp's `wa_id` (digits without '+',
 * `5215512345678`: a digits-only string of more than 10 digits not starting with 0 is read as
 * international) and national numbers of `defaultRegion` (`55 1234 5678` with MX).
 *
 * Mexico: since 2019 mobile numbers no longer take the '1' after the country code, but WhatsApp
 * still reports many Mexican users as `521` + 10 digits. libphonenumber-js (1.13) does not drop
 * it: it keeps `+5215512345678` and calls it invalid. We drop it, so `521XXXXXXXXXX` and
 * `52XXXXXXXXXX` are the same customer (`+52XXXXXXXXXX`).
 */
export class PhoneNumber {
  #region: PhoneRegion | undefined | null; // null: not worked out yet (a rehydrated number)

  private constructor(
    /** E.164, e.g. `+525512345678`. */
    readonly value: string,
    region: PhoneRegion | undefined | null,
  ) {
    this.#region = region;
  }

  /** ISO region of the number when known (e.g. 'MX'); for a rehydrated number, worked out on first use. */
  get region(): PhoneRegion | undefined {
    if (this.#region === null) this.#region = parsePhoneNumberFromString(this.value)?.country;
    return this.#region;
  }

  /**
   * Throws ValidationError (field `phoneNumber`, code `VALIDATION.INVALID_PHONE`) when not a valid number.
   * Results are remembered (PARSED_MAX most recent inputs): every inbound message names its sender,
   * and libphonenumber costs tens of microseconds a call.
   */
  static parse(raw: string, defaultRegion: PhoneRegion, field = 'phoneNumber'): PhoneNumber {
    if (typeof raw !== 'string' || raw.trim().length === 0 || raw.length > 64) throw invalid(field);
    if (!isSupportedCountry(defaultRegion)) {
      throw new ValidationError('defaultRegion', 'is not a supported region', 'VALIDATION.INVALID_REGION');
    }
    const key = `${defaultRegion}|${raw}`;
    let known = PARSED.get(key);
    if (known === undefined) {
      known = PhoneNumber.#parse(raw, defaultRegion);
      if (PARSED.size >= PARSED_MAX) PARSED.delete(PARSED.keys().next().value!); // the oldest
      PARSED.set(key, known);
    }
    if (known === INVALID) throw invalid(field);
    return new PhoneNumber(known.value, known.region);
  }

  static #parse(
    raw: string,
    defaultRegion: PhoneRegion,
  ): { value: string; region: PhoneRegion | undefined } | typeof INVALID {
    const compact = raw.trim().replace(SEPARATORS, '');
    const candidate = /^[1-9]\d{10,}$/.test(compact) ? `+${compact}` : compact;
    let parsed = parsePhoneNumberFromString(candidate, defaultRegion);
    if (
      parsed !== undefined &&
      parsed.countryCallingCode === '52' &&
      parsed.nationalNumber.length === 11 &&
      parsed.nationalNumber.startsWith('1')
    ) {
      parsed = parsePhoneNumberFromString(`+52${parsed.nationalNumber.slice(1)}`);
    }
    if (parsed === undefined || !parsed.isValid()) return INVALID;
    return { value: parsed.number, region: parsed.country };
  }

  /**
   * Rehydrates a stored E.164 value without re-validating it against (possibly newer) metadata (its
   * region is worked out only if asked for: rehydrating a customer costs no parse).
   */
  static fromE164(value: string, field = 'phoneNumber'): PhoneNumber {
    if (typeof value !== 'string' || !E164.test(value)) throw invalid(field);
    return new PhoneNumber(value, null);
  }

  static isE164(value: string): boolean {
    return E164.test(value);
  }

  /** The digits without '+': the form the WhatsApp Cloud API uses for recipients. */
  get digits(): string {
    return this.value.slice(1);
  }

  equals(other: PhoneNumber): boolean {
    return this.value === other.value;
  }

  toString(): string {
    return this.value;
  }
}

const invalid = (field: string): ValidationError =>
  new ValidationError(field, 'must be a valid phone number', INVALID_PHONE);
