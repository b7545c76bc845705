/**
 * SLA targets, in business minutes, per SLA level × priority, for the time to the first agent
 * response and the time to resolution. This is the shape of the `sla_targets` setting.
 *
 * Defaults: `standard` is the base table; `priority` halves it; `vip` quarters it
 * (rounded to whole minutes, never below 1).
 */
import type { Priority } from '../conversation/conversation.types.js';
import type { SlaLevel } from '../ticket/ticket.types.js';

export interface SlaTarget {
  firstResponse: number; // business minutes
  resolution: number; // business minutes
}

export type SlaTargets = Record<SlaLevel, Record<Priority, SlaTarget>>;

const STANDARD: Record<Priority, SlaTarget> = {
  urgent: { firstResponse: 30, resolution: 240 },
  high: { firstResponse: 60, resolution: 480 },
  medium: { firstResponse: 240, resolution: 1440 },
  low: { firstResponse: 480, resolution: 2880 },
};

const scaled = (divisor: number): Record<Priority, SlaTarget> => {
  const s = (n: number): number => Math.max(1, Math.round(n / divisor));
  return {
    urgent: { firstResponse: s(STANDARD.urgent.firstResponse), resolution: s(STANDARD.urgent.resolution) },
    high: { firstResponse: s(STANDARD.high.firstResponse), resolution: s(STANDARD.high.resolution) },
    medium: { firstResponse: s(STANDARD.medium.firstResponse), resolution: s(STANDARD.medium.resolution) },
    low: { firstResponse: s(STANDARD.low.firstResponse), resolution: s(STANDARD.low.resolution) },
  };
};

/**
 * | level    | urgent  | high    | medium   | low      |  (firstResponse / resolution, business minutes)
 * |----------|---------|---------|----------|----------|
 * | standard | 30/240  | 60/480  | 240/1440 | 480/2880 |
 * | priority | 15/120  | 30/240  | 120/720  | 240/1440 |
 * | vip      | 8/60    | 15/120  | 60/360   | 120/720  |
 */
export const DEFAULT_SLA_TARGETS: SlaTargets = {
  standard: STANDARD,
  priority: scaled(2),
  vip: scaled(4),
};

/** Upper bound for any target: one year of minutes. */
export const MAX_SLA_TARGET_MINUTES = 525_600;

export function targetFor(targets: SlaTargets, slaLevel: SlaLevel, priority: Priority): SlaTarget {
  const target = targets[slaLevel]?.[priority];
  if (!target) throw new Error(`No SLA target for ${slaLevel}/${priority}`);
  return { firstResponse: target.firstResponse, resolution: target.resolution };
}
