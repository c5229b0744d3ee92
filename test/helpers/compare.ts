// The contract's report comparison (same rules as shared/tools/compare-report.mjs): every field of
// the expected report must be in the actual one, numbers within a relative tolerance, arrays of
// objects with an id or name matched by that key; where it repeats (several breaches of one
// unit), by the identifying fields together.
export function compareReports(
  expected: unknown,
  actual: unknown,
  rtol = 1e-6,
  atol = 1e-6,
): { checked: number; problems: string[] } {
  const problems: string[] = [];
  let checked = 0;
  const simpleKey = (x: unknown) =>
    x && typeof x === 'object' ? ((x as Record<string, unknown>).id ?? (x as Record<string, unknown>).name) : undefined;
  const idFields = ['level', 'id', 'name', 'limit', 'underlying', 'account', 'instrument'];
  const fullKey = (x: unknown) =>
    x && typeof x === 'object' ? JSON.stringify(idFields.map((f) => (x as Record<string, unknown>)[f] ?? null)) : undefined;
  const walk = (e: unknown, a: unknown, path: string): void => {
    if (typeof e === 'number') {
      checked++;
      if (typeof a !== 'number' || !(Math.abs(a - e) <= atol + rtol * Math.abs(e)))
        problems.push(`${path}: expected ${e}, got ${JSON.stringify(a)}`);
    } else if (e === null || typeof e !== 'object') {
      checked++;
      if (a !== e) problems.push(`${path}: expected ${JSON.stringify(e)}, got ${JSON.stringify(a)}`);
    } else if (Array.isArray(e)) {
      if (!Array.isArray(a)) {
        problems.push(`${path}: expected an array`);
        return;
      }
      const keyed = e.length > 0 && e.every((x) => simpleKey(x) !== undefined);
      const keyOf = keyed && new Set(e.map(simpleKey)).size === e.length ? simpleKey : fullKey;
      e.forEach((x, i) => {
        const y = keyed ? a.find((z) => keyOf(z) === keyOf(x)) : a[i];
        walk(x, y, keyed ? `${path}[${JSON.stringify(keyOf(x))}]` : `${path}[${i}]`);
      });
      if (!keyed && a.length !== e.length) problems.push(`${path}: expected ${e.length} items, got ${a.length}`);
    } else {
      if (a === null || typeof a !== 'object') {
        problems.push(`${path}: missing`);
        return;
      }
      for (const k of Object.keys(e)) walk((e as Record<string, unknown>)[k], (a as Record<string, unknown>)[k], `${path}.${k}`);
    }
  };
  walk(expected, actual, '$');
  return { checked, problems };
}
