import { BusinessRuleError } from '../shared/errors.js';

export const CUSTOMER_ERROR_CODES = {
  /** The customer was erased (right to be forgotten): the record is frozen. */
  ERASED: 'CUSTOMER.ERASED',
  /** The action is not possible while the customer is blocked (e.g. changing the status label). */
  BLOCKED: 'CUSTOMER.BLOCKED',
} as const;

export const customerErased = (customerId: string): BusinessRuleError =>
  new BusinessRuleError(CUSTOMER_ERROR_CODES.ERASED, 'This customer was erased and cannot be changed', {
    customerId,
  });

export const customerBlocked = (customerId: string): BusinessRuleError =>
  new BusinessRuleError(CUSTOMER_ERROR_CODES.BLOCKED, 'Unblock the customer first', { customerId });
