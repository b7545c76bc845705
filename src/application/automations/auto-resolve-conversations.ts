import { Conversation } from '../../domain/conversation/conversation.js';
import { ConcurrencyError, DomainError } from '../../domain/shared/errors.js';
import type { Id } from '../../domain/shared/ids.js';
import { applyAgentStatistics } from '../conversations/conversation-support.js';
import type { Ports } from '../ports/ports.js';
import { recordActivity } from '../shared/activity.js';
import { SYSTEM } from '../shared/actor.js';
import { publish } from '../shared/events.js';
import { loadSettings } from '../shared/settings.js';
import { RUNNING_CONVERSATION_STATUSES } from '../sla/run-sla-watcher.js';

export interface AutoResolveReport {
  /** `auto_resolve_after_hours` in force (0: off, nothing scanned). */
  afterHours: number;
  scanned: number;
  resolved: Id[];
  /** Changed meanwhile (a new message, another node): left for the next pass. */
  skipped: number;
}

const PAGE = 200;

/**
 * Resolves, as the system, every running conversation (open, assigned, waiting) whose customer has
 * not written for `auto_resolve_after_hours` hours (counted from the conversation's start when they
 * never wrote) and that waits on nobody: a conversation with an unanswered customer message is
 * never auto-resolved (the SLA watcher escalates it instead). Each resolution is conditional on the
 * version that was read (so a message arriving meanwhile, or another node, wins), frees the agent's
 * slot and counts as resolved for them like a manual resolution, is logged (`resolved`, by the
 * system) and published. A customer who writes again reopens it (domain behaviour).
 */
export class AutoResolveConversations {
  constructor(
    private readonly ports: Pick<
      Ports,
      'conversations' | 'agents' | 'settings' | 'activity' | 'events' | 'ids' | 'clock'
    >,
  ) {}

  async execute(): Promise<AutoResolveReport> {
    const afterHours = (await loadSettings(this.ports)).get('auto_resolve_after_hours');
    const report: AutoResolveReport = { afterHours, scanned: 0, resolved: [], skipped: 0 };
    if (afterHours <= 0) return report;
    const cutoff = this.ports.clock.now().getTime() - afterHours * 3_600_000;
    const reason = `Resolved automatically: no message from the customer for ${afterHours} hours`;

    for (let afterId: Id | undefined; ; ) {
      const page = await this.ports.conversations.scanByStatus(RUNNING_CONVERSATION_STATUSES, {
        limit: PAGE,
        ...(afterId ? { afterId } : {}),
      });
      for (const before of page) {
        report.scanned += 1;
        const lastHeard = (before.lastCustomerMessage ?? before.createdAt).getTime();
        if (before.awaitingResponseSince || lastHeard > cutoff) continue;
        const conversation = Conversation.fromPrimitives(before);
        try {
          conversation.resolve(undefined, this.ports.clock.now(), reason);
          const saved = await this.ports.conversations.update(conversation.toPrimitives());
          await applyAgentStatistics(this.ports, { type: 'resolved', agentId: before.assignedAgent });
          await recordActivity(
            this.ports,
            SYSTEM,
            {},
            {
              entityType: 'conversation',
              entityId: saved.id,
              action: 'resolved',
              before,
              after: saved,
              reason,
            },
          );
          await publish(this.ports, conversation.pullEvents(), {
            assignedAgent: saved.assignedAgent ?? before.assignedAgent,
            customerId: saved.customerId,
          });
          report.resolved.push(saved.id);
        } catch (error) {
          if (!(error instanceof ConcurrencyError || error instanceof DomainError)) throw error;
          report.skipped += 1;
        }
      }
      if (page.length < PAGE) break;
      afterId = page.at(-1)!.id;
    }
    return report;
  }
}
