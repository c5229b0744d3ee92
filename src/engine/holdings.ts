import { effectiveCollateral } from '../model/collateral.js';
import type { Book, Market } from '../model/types.js';
import type { InstrumentTable } from './instruments.js';

export interface PortfolioGroup {
  id: string;
  /** Account indices, in the order the book lists them. */
  accounts: number[];
  /** The tail series this portfolio is margined on: its own for two or more accounts, the account's for one. */
  series: number;
}

/**
 * Who holds what, as CSR matrices the aggregation kernel consumes: account rows are weighted sums
 * of instrument rows (weights = quantities, non-cash collateral included), group rows are sums of
 * account rows. Tail series are the accounts first, then the groups of two or more accounts.
 */
export interface Holdings {
  accountIds: string[];
  accountOffsets: Int32Array;
  accountRows: Int32Array;
  accountQty: Float64Array;
  nGroups: number;
  groupOffsets: Int32Array;
  groupMembers: Int32Array;
  groupWeight: Float64Array;
  portfolios: PortfolioGroup[];
  /** Effective collateral per account after haircuts, in the market currency. */
  collateral: Float64Array;
  nSeries: number;
}

export function buildHoldings(market: Market, book: Book, instruments: InstrumentTable): Holdings {
  const spot = new Map(market.underlyings.map((u, i) => [u.id, { index: i, spot: u.spot }]));
  const accountIndex = new Map(book.accounts.map((a, i) => [a.id, i]));
  const offsets = [0];
  const rows: number[] = [];
  const qty: number[] = [];
  const collateral = new Float64Array(book.accounts.length);

  book.accounts.forEach((account, a) => {
    // Sum quantities per revaluation row: two positions on one instrument, or a future and
    // collateral in the same underlying, need one multiply-add per scenario, not two.
    const byRow = new Map<number, number>();
    const add = (row: number, q: number) => byRow.set(row, (byRow.get(row) ?? 0) + q);
    for (const p of account.positions) add(instruments.rowOf.get(p.instrument)!, p.quantity);
    for (const c of account.collateral) {
      const u = spot.get(c.asset);
      // The full amount moves with the market; the haircut only discounts today's value.
      if (u !== undefined) add(instruments.collateralRow.get(u.index)!, c.amount);
    }
    collateral[a] = effectiveCollateral(account.collateral, (asset) => spot.get(asset)?.spot);
    for (const [row, q] of byRow) {
      if (q === 0) continue;
      rows.push(row);
      qty.push(q);
    }
    offsets.push(rows.length);
  });

  const nAccounts = book.accounts.length;
  const listed = new Set<string>();
  const portfolios: PortfolioGroup[] = [];
  const groupOffsets = [0];
  const groupMembers: number[] = [];
  let nGroups = 0;
  for (const p of book.portfolios) {
    const members = p.accounts.map((id) => accountIndex.get(id)!);
    p.accounts.forEach((id) => listed.add(id));
    let series: number;
    if (members.length === 1) {
      series = members[0];
    } else {
      series = nAccounts + nGroups++;
      groupMembers.push(...members);
      groupOffsets.push(groupMembers.length);
    }
    portfolios.push({ id: p.id, accounts: members, series });
  }
  book.accounts.forEach((a, i) => {
    if (!listed.has(a.id)) portfolios.push({ id: a.id, accounts: [i], series: i });
  });

  return {
    accountIds: book.accounts.map((a) => a.id),
    accountOffsets: Int32Array.from(offsets),
    accountRows: Int32Array.from(rows),
    accountQty: Float64Array.from(qty),
    nGroups,
    groupOffsets: Int32Array.from(groupOffsets),
    groupMembers: Int32Array.from(groupMembers),
    groupWeight: new Float64Array(groupMembers.length).fill(1),
    portfolios,
    collateral,
    nSeries: nAccounts + nGroups,
  };
}
