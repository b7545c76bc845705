/**
 * The conversation's response clock, as a badge: time left to answer the oldest unanswered customer
 * message (`awaitingResponseSince`), against the `sla_targets` setting (first response, by SLA level
 * and priority; level `vip` for VIP customers, else `standard`).
 *
 * The API has no SLA procedure for conversations, so this runs here, in wall-clock minutes (the
 * server's SLA watcher counts business minutes; outside business hours this badge runs ahead of it).
 */
import { useQuery } from '@tanstack/react-query';
import { minutesBetween } from './format';
import { useTRPC } from './trpc';

type Priority = 'low' | 'medium' | 'high' | 'urgent';
type Level = 'standard' | 'priority' | 'vip';
type Targets = Record<Level, Record<Priority, { firstResponse: number; resolution: number }>>;

export interface SlaConfig {
  targets: Targets;
  warningLeadMinutes: number;
}

const STANDARD: Record<Priority, { firstResponse: number; resolution: number }> = {
  urgent: { firstResponse: 30, resolution: 240 },
  high: { firstResponse: 60, resolution: 480 },
  medium: { firstResponse: 240, resolution: 1440 },
  low: { firstResponse: 480, resolution: 2880 },
};
const scale = (d: number) =>
  Object.fromEntries(
    Object.entries(STANDARD).map(([p, t]) => [
      p,
      {
        firstResponse: Math.max(1, Math.round(t.firstResponse / d)),
        resolution: Math.max(1, Math.round(t.resolution / d)),
      },
    ]),
  ) as Record<Priority, { firstResponse: number; resolution: number }>;

/** The server's defaults (src/domain/sla/sla-targets.ts), used until the setting is loaded. */
export const DEFAULT_SLA: SlaConfig = {
  targets: { standard: STANDARD, priority: scale(2), vip: scale(4) },
  warningLeadMinutes: 30,
};

export interface SlaBadge {
  state: 'ok' | 'warning' | 'breached';
  /** Minutes to the due time; negative once breached. */
  minutesLeft: number;
  targetMinutes: number;
}

export function conversationSla(
  c: { status: string; priority: string; awaitingResponseSince?: string | Date | undefined },
  segment: string | undefined,
  config: SlaConfig,
  now: Date,
): SlaBadge | undefined {
  if (!c.awaitingResponseSince || c.status === 'resolved' || c.status === 'closed') return undefined;
  const level: Level = segment === 'vip' ? 'vip' : 'standard';
  const target =
    config.targets[level]?.[c.priority as Priority]?.firstResponse ?? STANDARD.medium.firstResponse;
  const minutesLeft = target - minutesBetween(c.awaitingResponseSince, now);
  const state = minutesLeft < 0 ? 'breached' : minutesLeft <= config.warningLeadMinutes ? 'warning' : 'ok';
  return { state, minutesLeft, targetMinutes: target };
}

function isTargets(value: unknown): value is Targets {
  if (typeof value !== 'object' || value === null) return false;
  return (['standard', 'priority', 'vip'] as const).every((level) => {
    const row = (value as Record<string, unknown>)[level];
    return typeof row === 'object' && row !== null;
  });
}

export function useSlaConfig(enabled: boolean): SlaConfig {
  const trpc = useTRPC();
  const targets = useQuery({
    ...trpc.settings.get.queryOptions({ key: 'sla_targets' }),
    enabled,
    staleTime: 5 * 60_000,
  });
  const lead = useQuery({
    ...trpc.settings.get.queryOptions({ key: 'sla_warning_lead_minutes' }),
    enabled,
    staleTime: 5 * 60_000,
  });
  const t = targets.data?.value;
  const l = lead.data?.value;
  return {
    targets: isTargets(t) ? t : DEFAULT_SLA.targets,
    warningLeadMinutes: typeof l === 'number' ? l : DEFAULT_SLA.warningLeadMinutes,
  };
}
