// Records keyed by user-chosen ids (set names, underlyings, accounts...). An id may be any string,
// `__proto__`, `constructor` or `toString` included, so such a record must have no prototype to
// inherit from: `record[id]` then finds only what was stored, and storing `__proto__` makes an own
// property instead of changing the prototype.

/** An empty record with no prototype, for keys that are ids. */
export function idRecord<T>(): Record<string, T> {
  return Object.create(null) as Record<string, T>;
}

/** The value stored under `key` in a record, never one it inherits. */
export function ownValue<T>(record: Readonly<Record<string, T>>, key: string): T | undefined {
  return Object.hasOwn(record, key) ? record[key] : undefined;
}
