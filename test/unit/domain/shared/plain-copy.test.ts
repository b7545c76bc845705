import { describe, expect, it } from 'vitest';
import { plainCopy } from '../../../../src/domain/shared/plain-copy.js';

describe('plainCopy', () => {
  it('copies plain data deeply: nothing of the copy is shared with the original', () => {
    const original = {
      at: new Date('2026-03-02T16:00:00Z'),
      tags: ['vip', 'mx'],
      nested: { list: [{ n: 1, when: new Date(0) }], flag: true, nothing: null },
    };

    const copy = plainCopy(original);

    expect(copy).toStrictEqual(original);
    expect(copy.at).not.toBe(original.at);
    expect(copy.tags).not.toBe(original.tags);
    expect(copy.nested.list[0]).not.toBe(original.nested.list[0]);
    expect(copy.nested.list[0]!.when).not.toBe(original.nested.list[0]!.when);
    copy.nested.list[0]!.n = 2;
    copy.at.setUTCFullYear(2000);
    expect(original.nested.list[0]!.n).toBe(1);
    expect(original.at.getUTCFullYear()).toBe(2026);
  });

  it('drops undefined-valued keys at every depth, keeps null', () => {
    const copy = plainCopy({ a: undefined, b: { c: undefined, d: 1, e: null }, f: [undefined, 2] });

    expect(Object.keys(copy)).toEqual(['b', 'f']);
    expect(copy.b).toStrictEqual({ d: 1, e: null });
    expect(copy.f).toEqual([undefined, 2]); // array slots are kept
  });

  it('falls back to structuredClone for what is not plain data', () => {
    const map = new Map([['k', { v: 1 }]]);
    const copy = plainCopy({ map });

    expect(copy.map).toBeInstanceOf(Map);
    expect(copy.map).not.toBe(map);
    expect(copy.map.get('k')).toEqual({ v: 1 });
  });

  it('copies own keys only, even with an enumerable key on Object.prototype (a polluted prototype)', () => {
    Object.defineProperty(Object.prototype, 'polluted', {
      value: 'x',
      enumerable: true,
      configurable: true,
      writable: true,
    });
    try {
      const copy = plainCopy({ a: 1, nested: { b: 2 }, bare: Object.assign(Object.create(null), { c: 3 }) });

      expect(Object.hasOwn(copy, 'polluted')).toBe(false);
      expect(Object.hasOwn(copy.nested, 'polluted')).toBe(false);
      expect(Object.keys(copy)).toEqual(['a', 'nested', 'bare']);
      expect({ ...copy.bare }).toEqual({ c: 3 });
    } finally {
      delete (Object.prototype as Record<string, unknown>).polluted;
    }
  });
});
