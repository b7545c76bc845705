/**
 * Every use case of the application, built once from the ports. The composition root registers
 * this registry; the edges (tRPC routers, webhook workers, the CLI) call `useCases.<area>.<action>`.
 * One place to see everything the CRM can do.
 */
import { ListAgentActivity } from './activity/list-agent-activity.js';
import { ListEntityActivity } from './activity/list-entity-activity.js';
import { CreateAgent } from './agents/create-agent.js';
import { DeactivateAgent } from './agents/deactivate-agent.js';
import { GetAgent } from './agents/get-agent.js';
import { ListAgents } from './agents/list-agents.js';
import { ReactivateAgent } from './agents/reactivate-agent.js';
import { SetOwnStatus } from './agents/set-own-status.js';
import { UpdateAgent } from './agents/update-agent.js';
import { UpdateOwnPreferences } from './agents/update-own-preferences.js';
import { HandOffToHuman } from './ai/hand-off-to-human.js';
import { ProcessInboundWithAi } from './ai/process-inbound-with-ai.js';
import { SuggestReply } from './ai/suggest-reply.js';
import { SummarizeConversation } from './ai/summarize-conversation.js';
import { TakeOverFromAi } from './ai/take-over-from-ai.js';
import { GetAgentPerformance } from './analytics/get-agent-performance.js';
import { GetOverview } from './analytics/get-overview.js';
import { AutoResolveConversations } from './automations/auto-resolve-conversations.js';
import { HandleSurveyAnswer } from './automations/handle-survey-answer.js';
import { SendSatisfactionSurvey } from './automations/send-satisfaction-survey.js';
import { AddInternalNote } from './conversations/add-internal-note.js';
import { AssignConversation } from './conversations/assign-conversation.js';
import { AutoAssignConversation } from './conversations/auto-assign-conversation.js';
import { ChangeConversationStatus } from './conversations/change-conversation-status.js';
import { GetConversation } from './conversations/get-conversation.js';
import { ListConversations } from './conversations/list-conversations.js';
import { MarkConversationRead } from './conversations/mark-conversation-read.js';
import { RecordSatisfaction } from './conversations/record-satisfaction.js';
import { TransferConversation } from './conversations/transfer-conversation.js';
import { UpdateConversation } from './conversations/update-conversation.js';
import { BlockCustomer } from './customers/block-customer.js';
import { CreateCustomer } from './customers/create-customer.js';
import { EraseCustomer } from './customers/erase-customer.js';
import { GetCustomer } from './customers/get-customer.js';
import { ListCustomers } from './customers/list-customers.js';
import { UnblockCustomer } from './customers/unblock-customer.js';
import { UpdateCustomer } from './customers/update-customer.js';
import { FollowInbox } from './inbox/follow-inbox.js';
import { ApplyMessageStatus } from './messages/apply-message-status.js';
import { DeliverOutboundMessages } from './messages/deliver-outbound-messages.js';
import { ListMessages } from './messages/list-messages.js';
import { ReceiveInboundMessage } from './messages/receive-inbound-message.js';
import { SendMessage } from './messages/send-message.js';
import { StoreInboundMedia } from './messages/store-inbound-media.js';
import { NotifyAgent } from './notifications/notify-agent.js';
import { NotifyOnEvent } from './notifications/notify-on-event.js';
import type { Ports } from './ports/ports.js';
import { EnsureDefaultSettings } from './settings/ensure-default-settings.js';
import { GetSetting } from './settings/get-setting.js';
import { ListSettings } from './settings/list-settings.js';
import { UpdateSetting } from './settings/update-setting.js';
import { RunSlaWatcher } from './sla/run-sla-watcher.js';
import { RecomputeStatistics } from './statistics/recompute-statistics.js';
import { UpdateResponseStatistics } from './statistics/update-response-statistics.js';
import { AddTicketNote } from './tickets/add-ticket-note.js';
import { AssignTicket } from './tickets/assign-ticket.js';
import { ChangeTicketStatus } from './tickets/change-ticket-status.js';
import { CreateTicket } from './tickets/create-ticket.js';
import { EscalateTicket } from './tickets/escalate-ticket.js';
import { GetTicket } from './tickets/get-ticket.js';
import { ListTickets } from './tickets/list-tickets.js';
import { RecordTicketFeedback } from './tickets/record-ticket-feedback.js';
import { RelateTickets } from './tickets/relate-tickets.js';
import { ResolveTicket } from './tickets/resolve-ticket.js';
import { UpdateTicket } from './tickets/update-ticket.js';
import { AcceptWebhookEvents } from './webhook-inbox/accept-webhook-events.js';
import { ProcessWebhookInbox } from './webhook-inbox/process-webhook-inbox.js';
import { ReleaseWaitingStatuses } from './webhook-inbox/release-waiting-statuses.js';

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
      /** Undefined without a MediaStore (no CLOUDINARY_URL): attachments stay `pending`. */
      storeMedia: ports.media ? new StoreInboundMedia({ ...ports, media: ports.media }) : undefined,
    },
    webhookInbox: {
      accept: new AcceptWebhookEvents(ports),
      process: new ProcessWebhookInbox(ports),
      releaseWaitingStatuses: new ReleaseWaitingStatuses(ports),
    },
    tickets: {
      create: new CreateTicket(ports),
      list: new ListTickets(ports),
      get: new GetTicket(ports),
      update: new UpdateTicket(ports),
      changeStatus: new ChangeTicketStatus(ports),
      addNote: new AddTicketNote(ports),
      escalate: new EscalateTicket(ports),
      resolve: new ResolveTicket(ports),
      relate: new RelateTickets(ports),
      feedback: new RecordTicketFeedback(ports),
      assign: new AssignTicket(ports),
    },
    customers: {
      list: new ListCustomers(ports),
      get: new GetCustomer(ports),
      create: new CreateCustomer(ports),
      update: new UpdateCustomer(ports),
      block: new BlockCustomer(ports),
      unblock: new UnblockCustomer(ports),
      erase: new EraseCustomer(ports),
    },
    agents: {
      list: new ListAgents(ports),
      get: new GetAgent(ports),
      create: new CreateAgent(ports),
      update: new UpdateAgent(ports),
      deactivate: new DeactivateAgent(ports),
      reactivate: new ReactivateAgent(ports),
      setOwnStatus: new SetOwnStatus(ports),
      updateOwnPreferences: new UpdateOwnPreferences(ports),
    },
    settings: {
      list: new ListSettings(ports),
      get: new GetSetting(ports),
      update: new UpdateSetting(ports),
      ensureDefaults: new EnsureDefaultSettings(ports),
    },
    activity: {
      byEntity: new ListEntityActivity(ports),
      byAgent: new ListAgentActivity(ports),
    },
    analytics: {
      // Reports read from MongoDB secondaries when there are some (`ports.reports`).
      overview: new GetOverview({ ...ports, ...ports.reports }),
      agentPerformance: new GetAgentPerformance({ ...ports, ...ports.reports }),
    },
    inbox: {
      follow: new FollowInbox(ports),
    },
    /** Scheduled jobs and event-driven automations (src/infrastructure/operations runs them on every node). */
    operations: {
      slaWatcher: new RunSlaWatcher(ports),
      autoResolve: new AutoResolveConversations(ports),
      sendSatisfactionSurvey: new SendSatisfactionSurvey(ports),
      handleSurveyAnswer: new HandleSurveyAnswer(ports),
      notifyAgent: new NotifyAgent(ports),
      notifyOnEvent: new NotifyOnEvent(ports),
    },
    statistics: {
      updateResponseTimes: new UpdateResponseStatistics(ports),
      recompute: new RecomputeStatistics(ports),
    },
    /** The AI assistant. Without one (`ports.ai` absent) processInbound skips and the agent tools refuse (AI.NOT_CONFIGURED). */
    ai: {
      processInbound: new ProcessInboundWithAi(ports),
      handOff: new HandOffToHuman(ports),
      takeOver: new TakeOverFromAi(ports),
      suggestReply: new SuggestReply(ports),
      summarize: new SummarizeConversation(ports),
    },
  };
}

export type UseCases = ReturnType<typeof buildUseCases>;
