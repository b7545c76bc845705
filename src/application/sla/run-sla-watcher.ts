/**
 * The SLA watcher (`sla-watcher` job): one pass over the running conversations and tickets.
 *
 * For every SLA clock in `warning` (due within `sla_warning_lead_minutes` business minutes) it
 * warns the assigned agent: an `sla.warning` event (the notifier turns it into a notification).
 * For every breached clock it escalates:
 * - a ticket through EscalateTicket (reason `SLA breach: …`; target by chooseEscalationTarget,
 *   reassigned when `escalation_reassign` is on; activity log and events as for a person);
 * - a conversation with `markEscalated` to the supervisor chosen by chooseEscalationTarget, and,
 *   with `escalation_reassign` on, a transfer (or assignment) to that supervisor; activity log
 *   `escalated` and the conversation's events.
 * The 24-hour window meets the SLA: a conversation whose customer question is unanswered and
 * whose window closes within WINDOW_WARNING_MINUTES gets a `window.closing` event; once closed, a
 * `window.closed` event says an approved template is now the only way to answer. A conversation
 * with FAILED_DELIVERIES_TO_ESCALATE or more failed deliveries in a row is escalated too.
 *
 * Each step happens once per breach, however many nodes run the watcher at the same time:
 * warnings and window notices are claimed once (`claimOnce`, keyed by the clock's due instant or
 * the customer's message), escalations are conditional on the entity's `version` and refused once
 * `escalated` is set. Conversations count as "awaiting a response" while `awaitingResponseSince`
 * is set (a customer message nobody answered). The watcher acts during business hours only; the
 * clocks themselves count business minutes and a ticket's clock pauses in `waiting_customer`
 * (domain: evaluateSla / findSlaBreaches).
 */
import { Conversation } from '../../domain/conversation/conversation.js';
import type {
  ConversationPrimitives,
  ConversationStatus,
} from '../../domain/conversation/conversation.types.js';
import { windowClosesAt } from '../../domain/conversation/service-window.js';
import type { CustomerSegment } from '../../domain/customer/customer.types.js';
import type { SettingsSnapshot } from '../../domain/settings/settings-snapshot.js';
import { BusinessRuleError, ConcurrencyError, DomainError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { isWithinBusinessHours } from '../../domain/sla/business-hours.js';
import { chooseEscalationTarget } from '../../domain/sla/escalation.js';
import {
  conversationSlaSubject,
  findSlaBreaches,
  type SlaAlert,
  type SlaConfig,
  slaLevelForSegment,
  ticketSlaSubject,
} from '../../domain/sla/sla-status.js';
import type { TicketPrimitives, TicketStatus } from '../../domain/ticket/ticket.types.js';
import { AssignConversation } from '../conversations/assign-conversation.js';
import { TransferConversation } from '../conversations/transfer-conversation.js';
import { claimOnce } from '../operations/claim-once.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { SYSTEM } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { loadSettings } from '../shared/settings.js';
import { EscalateTicket } from '../tickets/escalate-ticket.js';

/** A conversation whose unanswered customer message's window closes within this many minutes is warned about. */
export const WINDOW_WARNING_MINUTES = 60;
/** Failed outbound deliveries in a row that escalate a conversation. */
export const FAILED_DELIVERIES_TO_ESCALATE = 2;

export const RUNNING_CONVERSATION_STATUSES: ConversationStatus[] = ['open', 'assigned', 'waiting'];
export const RUNNING_TICKET_STATUSES: TicketStatus[] = [
  'open',
  'in_progress',
  'waiting_customer',
  'waiting_internal',
];

const PAGE = 200;

export interface SlaWatcherReport {
  /** Set when the pass did nothing: outside business hours. */
  skipped?: 'outside_business_hours';
  conversations: number;
  tickets: number;
  /** `sla.warning` events published. */
  warnings: number;
  /** Conversations and tickets escalated by this pass (SLA breaches and delivery failures). */
  escalations: number;
  windowClosing: number;
  windowClosed: number;
  /** Steps another node (or an earlier pass) had already done. */
  alreadyDone: number;
  problems: { subject: 'conversation' | 'ticket'; id: Id; error: string }[];
}

type WatcherPorts = Pick<
  Ports,
  | 'conversations'
  | 'tickets'
  | 'customers'
  | 'agents'
  | 'settings'
  | 'activity'
  | 'events'
  | 'ids'
  | 'clock'
  | 'jobLocks'
>;

const minutes = (ms: number): number => Math.round(ms / 6_000) / 10;
const clockLabel = (clock: SlaAlert['clock']): string =>
  clock === 'firstResponse' ? 'first response' : 'resolution';

export class RunSlaWatcher {
  readonly #escalateTicket: EscalateTicket;
  readonly #transfer: TransferConversation;
  readonly #assign: AssignConversation;

  constructor(private readonly ports: WatcherPorts) {
    this.#escalateTicket = new EscalateTicket(ports);
    this.#transfer = new TransferConversation(ports);
    this.#assign = new AssignConversation(ports);
  }

  async execute(): Promise<SlaWatcherReport> {
    const report: SlaWatcherReport = {
      conversations: 0,
      tickets: 0,
      warnings: 0,
      escalations: 0,
      windowClosing: 0,
      windowClosed: 0,
      alreadyDone: 0,
      problems: [],
    };
    const settings = await loadSettings(this.ports);
    const config = settings.slaConfig();
    if (!isWithinBusinessHours(this.ports.clock.now(), config.hours, config.zone)) {
      return { ...report, skipped: 'outside_business_hours' };
    }
    const segments = new Map<Id, CustomerSegment | undefined>();

    for (let afterId: Id | undefined; ; ) {
      const page = await this.ports.conversations.scanByStatus(RUNNING_CONVERSATION_STATUSES, {
        limit: PAGE,
        ...(afterId ? { afterId } : {}),
      });
      for (const conversation of page) {
        report.conversations += 1;
        await this.#guarded(report, 'conversation', conversation.id, () =>
          this.#watchConversation(conversation, settings, config, segments, report),
        );
      }
      if (page.length < PAGE) break;
      afterId = page.at(-1)!.id;
    }

    for (let afterId: Id | undefined; ; ) {
      const page = await this.ports.tickets.scanByStatus(RUNNING_TICKET_STATUSES, {
        limit: PAGE,
        ...(afterId ? { afterId } : {}),
      });
      const alerts = findSlaBreaches(page.map(ticketSlaSubject), this.ports.clock.now(), config);
      const byId = new Map(page.map((t) => [t.id, t]));
      for (const alert of alerts) {
        const ticket = byId.get(alert.subject.id)!;
        await this.#guarded(report, 'ticket', ticket.id, () => this.#actOnTicket(ticket, alert, report));
      }
      report.tickets += page.length;
      if (page.length < PAGE) break;
      afterId = page.at(-1)!.id;
    }
    return report;
  }

  async #guarded(
    report: SlaWatcherReport,
    subject: 'conversation' | 'ticket',
    id: Id,
    step: () => Promise<void>,
  ): Promise<void> {
    try {
      await step();
    } catch (error) {
      if (error instanceof ConcurrencyError) {
        report.alreadyDone += 1; // changed meanwhile (another node): the next pass sees the new state
        return;
      }
      report.problems.push({ subject, id, error: error instanceof Error ? error.message : String(error) });
    }
  }

  // ---- conversations -----------------------------------------------------------------------

  async #watchConversation(
    conversation: ConversationPrimitives,
    settings: SettingsSnapshot,
    config: SlaConfig,
    segments: Map<Id, CustomerSegment | undefined>,
    report: SlaWatcherReport,
  ): Promise<void> {
    const now = this.ports.clock.now();
    if (conversation.awaitingResponseSince) {
      await this.#watchWindow(conversation, now, report);
      if (!segments.has(conversation.customerId)) {
        segments.set(
          conversation.customerId,
          (await this.ports.customers.findById(conversation.customerId))?.segment,
        );
      }
      const subject = conversationSlaSubject(
        conversation,
        slaLevelForSegment(segments.get(conversation.customerId)),
      );
      for (const alert of findSlaBreaches([subject], now, config)) {
        if (alert.state === 'warning') {
          await this.#warn('conversation', conversation, alert, report);
        } else if (!conversation.escalated) {
          const late = -alert.minutesLeft;
          const reason = `SLA breach: ${clockLabel(alert.clock)} was due ${alert.dueAt.toISOString()} (${late} business minutes late)`;
          if (await this.#escalateConversation(conversation, reason, settings, report)) return;
        }
      }
    }
    const failed = conversation.failedDeliveries ?? 0;
    if (failed >= FAILED_DELIVERIES_TO_ESCALATE && !conversation.escalated) {
      const reason = `Delivery failures: the last ${failed} outbound messages could not be delivered`;
      await this.#escalateConversation(conversation, reason, settings, report);
    }
  }

  async #watchWindow(
    conversation: ConversationPrimitives,
    now: Date,
    report: SlaWatcherReport,
  ): Promise<void> {
    const closesAt = windowClosesAt(conversation.lastCustomerMessage);
    if (!closesAt || !conversation.lastCustomerMessage) return;
    const left = closesAt.getTime() - now.getTime();
    if (left > WINDOW_WARNING_MINUTES * 60_000) return;
    const closed = left <= 0;
    const key = `window:${closed ? 'closed' : 'closing'}:${conversation.id}:${conversation.lastCustomerMessage.getTime()}`;
    if (!(await claimOnce(this.ports, key))) {
      report.alreadyDone += 1;
      return;
    }
    await this.ports.events.publish([
      {
        type: closed ? 'window.closed' : 'window.closing',
        occurredAt: now,
        payload: {
          conversationId: conversation.id,
          customerId: conversation.customerId,
          assignedAgent: conversation.assignedAgent,
          closesAt,
          awaitingResponseSince: conversation.awaitingResponseSince,
          ...(closed
            ? {
                templateRequired: true,
                message:
                  "The customer's question was not answered within WhatsApp's 24-hour window: only an approved template can reach them now",
              }
            : {
                minutesLeft: minutes(left),
                message: `The 24-hour WhatsApp window closes in ${Math.max(1, Math.round(left / 60_000))} minutes and the customer's question is unanswered`,
              }),
        },
      },
    ]);
    if (closed) report.windowClosed += 1;
    else report.windowClosing += 1;
  }

  /**
   * Marks the conversation escalated to the chosen supervisor (conditional on its version), logs it,
   * publishes its events and, with `escalation_reassign`, hands it to the supervisor. Returns true
   * when this call escalated it.
   */
  async #escalateConversation(
    record: ConversationPrimitives,
    reason: string,
    settings: SettingsSnapshot,
    report: SlaWatcherReport,
  ): Promise<boolean> {
    const holder = record.assignedAgent ? await this.ports.agents.findById(record.assignedAgent) : null;
    const target = chooseEscalationTarget(
      holder
        ? { id: holder.id, ...(holder.supervisorId ? { supervisorId: holder.supervisorId } : {}) }
        : undefined,
      await this.ports.agents.listSupervisors(),
    );
    if (!target) {
      report.problems.push({
        subject: 'conversation',
        id: record.id,
        error: `no active supervisor or admin to escalate to (${reason})`,
      });
      return false;
    }
    const conversation = Conversation.fromPrimitives(record);
    conversation.markEscalated(target.id, this.ports.clock.now());
    const saved = await this.ports.conversations.update(conversation.toPrimitives()); // ConcurrencyError: another node
    report.escalations += 1;
    await recordActivity(
      this.ports,
      SYSTEM,
      {},
      {
        entityType: 'conversation',
        entityId: saved.id,
        action: 'escalated',
        before: record,
        after: saved,
        reason,
      },
    );
    await publish(this.ports, conversation.pullEvents(), {
      assignedAgent: saved.assignedAgent,
      customerId: saved.customerId,
    });

    if (settings.get('escalation_reassign') && saved.assignedAgent !== target.id) {
      const input = { actor: SYSTEM, meta: {}, conversationId: saved.id };
      try {
        if (saved.assignedAgent) await this.#transfer.execute({ ...input, toAgentId: target.id, reason });
        else if (saved.status !== 'resolved') await this.#assign.execute({ ...input, agentId: target.id });
      } catch (error) {
        if (!(error instanceof DomainError)) throw error;
        report.problems.push({
          subject: 'conversation',
          id: saved.id,
          error: `escalated but not reassigned: ${error.message}`,
        });
      }
    }
    return true;
  }

  // ---- tickets -----------------------------------------------------------------------------

  async #actOnTicket(ticket: TicketPrimitives, alert: SlaAlert, report: SlaWatcherReport): Promise<void> {
    if (alert.state === 'warning') {
      await this.#warn('ticket', ticket, alert, report);
      return;
    }
    if (ticket.escalated) return;
    const late = -alert.minutesLeft;
    try {
      await this.#escalateTicket.execute({
        actor: SYSTEM,
        meta: {},
        ticketId: ticket.id,
        reason: `SLA breach: ${clockLabel(alert.clock)} was due ${alert.dueAt.toISOString()} (${late} business minutes late)`,
      });
      report.escalations += 1;
    } catch (error) {
      if (error instanceof BusinessRuleError && error.code === 'TICKET.ALREADY_ESCALATED') {
        report.alreadyDone += 1;
        return;
      }
      throw error;
    }
  }

  // ---- warnings ----------------------------------------------------------------------------

  async #warn(
    subject: 'conversation' | 'ticket',
    entity: ConversationPrimitives | TicketPrimitives,
    alert: SlaAlert,
    report: SlaWatcherReport,
  ): Promise<void> {
    const key = `sla:${subject}:${entity.id}:${alert.clock}:warning:${alert.dueAt.getTime()}`;
    if (!(await claimOnce(this.ports, key))) {
      report.alreadyDone += 1;
      return;
    }
    const ticket = subject === 'ticket' ? (entity as TicketPrimitives) : undefined;
    await this.ports.events.publish([
      {
        type: 'sla.warning',
        occurredAt: this.ports.clock.now(),
        payload: {
          subject,
          clock: alert.clock,
          dueAt: alert.dueAt,
          minutesLeft: alert.minutesLeft,
          customerId: entity.customerId,
          assignedAgent: entity.assignedAgent,
          ...(ticket
            ? { id: ticket.id, ticketId: ticket.ticketId, conversationId: ticket.conversationId }
            : { conversationId: entity.id }),
          message: `${subject === 'ticket' ? `Ticket ${ticket!.ticketId}` : 'Conversation'}: ${clockLabel(alert.clock)} due in ${alert.minutesLeft} business minutes`,
        },
      },
    ]);
    report.warnings += 1;
  }
}
