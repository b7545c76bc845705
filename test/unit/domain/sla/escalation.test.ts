import { describe, expect, it } from 'vitest';
import {
  chooseEscalationTarget,
  type EscalationCandidate,
  raisePriority,
} from '../../../../src/domain/sla/escalation.js';

const id = (n: number): string => n.toString(16).padStart(24, '0');

const sup = (n: number, over: Partial<EscalationCandidate> = {}): EscalationCandidate => ({
  id: id(n),
  role: 'supervisor',
  isActive: true,
  status: 'offline',
  ...over,
});
const admin = (n: number, over: Partial<EscalationCandidate> = {}): EscalationCandidate => ({
  id: id(n),
  role: 'admin',
  isActive: true,
  status: 'offline',
  ...over,
});

describe('chooseEscalationTarget', () => {
  const assignee = { id: id(1), supervisorId: id(10) };

  it("prefers the assignee's own supervisor when active, even if offline", () => {
    const candidates = [sup(11, { status: 'online' }), sup(10, { status: 'offline' })];
    expect(chooseEscalationTarget(assignee, candidates)?.id).toBe(id(10));
  });

  it('skips an inactive own supervisor and takes an online supervisor', () => {
    const candidates = [
      sup(10, { isActive: false, status: 'online' }),
      sup(12),
      sup(11, { status: 'online' }),
    ];
    expect(chooseEscalationTarget(assignee, candidates)?.id).toBe(id(11));
  });

  it('without an online supervisor, takes any active supervisor (in list order)', () => {
    const candidates = [sup(12, { isActive: false, status: 'online' }), sup(13, { status: 'away' }), sup(14)];
    expect(chooseEscalationTarget(undefined, candidates)?.id).toBe(id(13));
  });

  it('falls back to an admin, preferring an online one', () => {
    expect(chooseEscalationTarget(undefined, [admin(20), admin(21, { status: 'online' })])?.id).toBe(id(21));
    expect(chooseEscalationTarget(undefined, [admin(20), sup(12, { isActive: false })])?.id).toBe(id(20));
  });

  it('prefers any active supervisor over an online admin', () => {
    expect(chooseEscalationTarget(undefined, [admin(20, { status: 'online' }), sup(12)])?.id).toBe(id(12));
  });

  it('returns undefined when nobody is eligible', () => {
    expect(chooseEscalationTarget(assignee, [])).toBeUndefined();
    expect(
      chooseEscalationTarget(assignee, [sup(10, { isActive: false }), admin(20, { isActive: false })]),
    ).toBeUndefined();
  });

  it('never picks the assignee themself', () => {
    const selfSupervisor = { id: id(12) };
    expect(chooseEscalationTarget(selfSupervisor, [sup(12, { status: 'online' }), sup(13)])?.id).toBe(id(13));
  });

  it('an own supervisor missing from the list is skipped', () => {
    expect(chooseEscalationTarget({ id: id(1), supervisorId: id(99) }, [sup(12)])?.id).toBe(id(12));
  });
});

describe('raisePriority', () => {
  it('raises one step and keeps urgent', () => {
    expect(raisePriority('low')).toBe('medium');
    expect(raisePriority('medium')).toBe('high');
    expect(raisePriority('high')).toBe('urgent');
    expect(raisePriority('urgent')).toBe('urgent');
  });
});
