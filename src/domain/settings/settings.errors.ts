import { BusinessRuleError, DomainError, ValidationError } from '../shared/errors.js';

export const SETTINGS_ERROR_CODES = {
  UNKNOWN_KEY: 'SETTINGS.UNKNOWN_KEY',
  INVALID_VALUE: 'SETTINGS.INVALID_VALUE',
  NOT_EDITABLE: 'SETTINGS.NOT_EDITABLE',
} as const;

/** A setting key that is not in the registry (kind `not_found`). */
export class UnknownSettingError extends DomainError {
  constructor(readonly key: string) {
    super('not_found', SETTINGS_ERROR_CODES.UNKNOWN_KEY, `Unknown setting: ${key}`, { key });
    this.name = 'UnknownSettingError';
  }
}

export const invalidSettingValue = (key: string, issues: string): ValidationError =>
  new ValidationError('value', `invalid value for ${key}: ${issues}`, SETTINGS_ERROR_CODES.INVALID_VALUE);

export const settingNotEditable = (key: string): BusinessRuleError =>
  new BusinessRuleError(SETTINGS_ERROR_CODES.NOT_EDITABLE, `Setting ${key} cannot be edited`, { key });
