import type { Id } from '../shared/ids.js';

/** The AI assistant's server-side conversation state for one CRM conversation (renamed `userthreads`). */
export interface ConversationThreadPrimitives {
  id: Id;
  conversationId: Id;
  customerId: Id;
  userId: string; // the customer's phone (backward compatibility)
  threadId: string; // the OpenAI conversation id (field name kept for compatibility)
  messageCount: number;
  lastInteraction?: Date;
  lastCleanup?: Date;
  isActive: boolean;
  createdAt: Date;
  updatedAt: Date;
}
