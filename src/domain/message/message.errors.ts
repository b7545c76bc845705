/** Stable error codes about messages. */
export const MESSAGE_ERRORS = {
  /**
   * A free-form (non-template) message outside WhatsApp's 24-hour customer-service window.
   * Thrown by `assertCanSendFreeForm` (src/domain/conversation/service-window.ts).
   */
  WINDOW_CLOSED: 'MESSAGE.WINDOW_CLOSED',
} as const;
