/**
 * A deep copy of plain data — objects, arrays, Dates, strings, numbers, booleans: what entity
 * primitives and stored records are made of — that owns no reference of its input, with
 * `undefined`-valued properties dropped (a record never has a key whose value is absent, like a
 * MongoDB document). Cloned by hand: several times faster than `structuredClone` for such small
 * objects, which matters because entities copy their primitives in and out on every load and save.
 * Anything else (a Map, a class instance) falls back to `structuredClone`.
 */
export function plainCopy<T>(value: T): T {
  return clonePlain(value) as T;
}

function clonePlain(value: unknown): unknown {
  if (typeof value !== 'object' || value === null) return value;
  // Most frequent first: plain objects and arrays; Dates (and anything else) after.
  if (Array.isArray(value)) {
    const out = new Array(value.length);
    for (let i = 0; i < value.length; i++) out[i] = clonePlain(value[i]);
    return out;
  }
  if (isPlainObject(value)) {
    const out: Record<string, unknown> = {};
    // for…in, not Object.keys: no array of keys allocated per object (a fifth of what the inbound
    // path allocated in memory). Own keys only, whatever is on Object.prototype.
    for (const key in value) {
      if (!Object.hasOwn(value, key)) continue;
      const v = value[key];
      // Primitives are copied in place, without a call.
      if (v !== undefined) out[key] = typeof v !== 'object' || v === null ? v : clonePlain(v);
    }
    return out;
  }
  if (value instanceof Date) return new Date(value.getTime());
  return dropUndefined(structuredClone(value));
}

function dropUndefined<T>(value: T): T {
  if (Array.isArray(value)) {
    for (const item of value) dropUndefined(item);
  } else if (isPlainObject(value)) {
    for (const key of Object.keys(value)) {
      if (value[key] === undefined) delete value[key];
      else dropUndefined(value[key]);
    }
  }
  return value;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}
