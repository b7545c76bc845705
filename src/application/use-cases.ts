/**
 * Every use case of the application, built once from the ports. The composition root registers
 * this registry; the edges (tRPC routers, webhook workers, the CLI) call `useCases.<area>.<action>`.
 * One place to see everything the CRM can do.
 */
import { AddInternalNote } from './conversations/add-internal-note.js';
import { AssignConversation } from './conversations/assign-conversation.js';
import { AutoAssignConversation } from './conversations/auto-assign-conversation.js';
import { ChangeConversationStatus } from './conversations/change-conversation-status.js';
import { GetConversation } from './conversations/get-conversation.js';
import { ListConversations } from './conversations/list-conversations.js';
import { MarkConversationRead } from './conversations/mark-conversation-read.js';
import { FollowInbox } from './inbox/follow-inbox.js';
import { RecordSatisfaction } from './conversations/record-satisfaction.js';
import { TransferConversation } from './conversations/transfer-conversation.js';
import { UpdateConversation } from './conversations/update-conversation.js';
import { ApplyMessageStatus } from './messages/apply-message-status.js';
import { DeliverOutboundMessages } from './messages/deliver-outbound-messages.js';
import { ListMessages } from './messages/list-messages.js';
import { ReceiveInboundMessage } from './messages/receive-inbound-message.js';
import { SendMessage } from './messages/send-message.js';
import type { Ports } from './ports/ports.js';

export function buildUseCases(ports: Ports) {
  return {
    conversations: {
      list: new ListConversations(ports),
      get: new GetConversation(ports),
      assign: new AssignConversation(ports),
      autoAssign: new AutoAssignConversation(ports),
      transfer: new TransferConversation(ports),
      changeStatus: new ChangeConversationStatus(ports),
      update: new UpdateConversation(ports),
      addNote: new AddInternalNote(ports),
      recordSatisfaction: new RecordSatisfaction(ports),
      markRead: new MarkConversationRead(ports),
    },
    messages: {
      receive: new ReceiveInboundMessage(ports),
      send: new SendMessage(ports),
      list: new ListMessages(ports),
      applyStatus: new ApplyMessageStatus(ports),
      deliver: new DeliverOutboundMessages(ports),
    },
    inbox: {
      follow: new FollowInbox(ports),
    },
    // tickets, customers, agents, settings, activity: added as their use cases land.
  };
}

export type UseCases = ReturnType<typeof buildUseCases>;
