import { describe, expect, it } from 'vitest';
import { PRIORITIES } from '../../../../src/domain/conversation/conversation.types.js';
import { DEFAULT_SLA_TARGETS, targetFor } from '../../../../src/domain/sla/sla-targets.js';
import { SLA_LEVELS } from '../../../../src/domain/ticket/ticket.types.js';

describe('SLA targets', () => {
  it('standard defaults', () => {
    expect(targetFor(DEFAULT_SLA_TARGETS, 'standard', 'urgent')).toEqual({
      firstResponse: 30,
      resolution: 240,
    });
    expect(targetFor(DEFAULT_SLA_TARGETS, 'standard', 'high')).toEqual({
      firstResponse: 60,
      resolution: 480,
    });
    expect(targetFor(DEFAULT_SLA_TARGETS, 'standard', 'medium')).toEqual({
      firstResponse: 240,
      resolution: 1440,
    });
    expect(targetFor(DEFAULT_SLA_TARGETS, 'standard', 'low')).toEqual({
      firstResponse: 480,
      resolution: 2880,
    });
  });

  it('priority halves and vip quarters the standard targets (rounded, at least 1)', () => {
    for (const p of PRIORITIES) {
      const std = targetFor(DEFAULT_SLA_TARGETS, 'standard', p);
      expect(targetFor(DEFAULT_SLA_TARGETS, 'priority', p)).toEqual({
        firstResponse: Math.round(std.firstResponse / 2),
        resolution: Math.round(std.resolution / 2),
      });
      expect(targetFor(DEFAULT_SLA_TARGETS, 'vip', p)).toEqual({
        firstResponse: Math.round(std.firstResponse / 4),
        resolution: Math.round(std.resolution / 4),
      });
    }
    expect(targetFor(DEFAULT_SLA_TARGETS, 'vip', 'urgent')).toEqual({ firstResponse: 8, resolution: 60 });
  });

  it('a stricter level never has a looser target, and first response never exceeds resolution', () => {
    for (const p of PRIORITIES) {
      const [std, pri, vip] = SLA_LEVELS.map((l) => targetFor(DEFAULT_SLA_TARGETS, l, p));
      expect(pri!.firstResponse).toBeLessThanOrEqual(std!.firstResponse);
      expect(vip!.firstResponse).toBeLessThanOrEqual(pri!.firstResponse);
      for (const t of [std!, pri!, vip!]) expect(t.firstResponse).toBeLessThanOrEqual(t.resolution);
    }
  });

  it('returns a copy (callers cannot alter the table)', () => {
    const t = targetFor(DEFAULT_SLA_TARGETS, 'standard', 'low');
    t.firstResponse = 1;
    expect(DEFAULT_SLA_TARGETS.standard.low.firstResponse).toBe(480);
  });
});
