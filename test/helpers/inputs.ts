// Small in-memory markets, books and suites for engine tests.
export function market(
  underlyings: { id: string; spot: number; vol: number }[],
  correlation?: number[][],
  extra: Record<string, unknown> = {},
) {
  return { asOf: '2026-11-20', currency: 'USD', rate: 0, underlyings, ...(correlation ? { correlation } : {}), ...extra };
}

export function futures(...ids: string[]) {
  return ids.map((u) => ({ id: `${u}-PERP`, type: 'future', underlying: u }));
}

export function suite(sets: Record<string, unknown>[], extra: Record<string, unknown> = {}) {
  return { seed: 42, horizonDays: 1, confidence: 0.99, maintenanceRatio: 0.8, scenarioSets: sets, ...extra };
}
