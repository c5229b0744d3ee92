// What changed between two served versions, as a risk desk wants to be told: margin calls that
// appear or clear (portfolios cross, accounts alone) and limit breaches that appear or clear. The
// service sends them as Server-Sent Events when a market update makes a new version.
import type { Report } from '../report/report.js';
import type { Breach } from '../risk/limits.js';

export type ServiceEvent =
  | {
      type: 'margin-call';
      level: 'portfolio' | 'account';
      id: string;
      marginCall: number;
      health: number | null;
      version: number;
    }
  | { type: 'margin-call-cleared'; level: 'portfolio' | 'account'; id: string; health: number | null; version: number }
  | { type: 'breach'; breach: Breach; version: number }
  | { type: 'breach-cleared'; breach: Breach; version: number };

const breachKey = (b: Breach) => JSON.stringify([b.level, b.id, b.limit, b.underlying ?? null]);

/** The events between `before` and `after` (report order: portfolios, then accounts, then breaches). */
export function eventsBetween(before: Report, after: Report, version: number): ServiceEvent[] {
  const out: ServiceEvent[] = [];
  const units = (r: Report) => [
    ...r.portfolios.map((p) => ({ level: 'portfolio' as const, id: p.id, marginCall: p.marginCall, health: p.health })),
    ...r.portfolios
      .flatMap((p) => p.segregated.accounts)
      .map((a) => ({ level: 'account' as const, id: a.id, marginCall: a.marginCall, health: a.health })),
  ];
  const was = new Map(units(before).map((u) => [`${u.level}:${u.id}`, u]));
  for (const u of units(after)) {
    const prev = was.get(`${u.level}:${u.id}`);
    const had = (prev?.marginCall ?? 0) > 0;
    if (u.marginCall > 0 && (!had || prev!.marginCall !== u.marginCall))
      out.push({ type: 'margin-call', level: u.level, id: u.id, marginCall: u.marginCall, health: u.health, version });
    else if (u.marginCall === 0 && had)
      out.push({ type: 'margin-call-cleared', level: u.level, id: u.id, health: u.health, version });
  }
  const before_ = new Map((before.breaches ?? []).map((b) => [breachKey(b), b]));
  const after_ = new Map((after.breaches ?? []).map((b) => [breachKey(b), b]));
  for (const [k, b] of after_) if (!before_.has(k)) out.push({ type: 'breach', breach: b, version });
  for (const [k, b] of before_) if (!after_.has(k)) out.push({ type: 'breach-cleared', breach: b, version });
  return out;
}
