// Tails as they travel and as the engine hands them out. A task packs its tails into one flat
// Float64Array (`packTails`); the coordinator merges a set's packs into its exact tails
// (`mergePacks`), which is all the engine returns: measures, margin and attribution are computed
// from them above the engine (src/risk/).

/**
 * The exact tail of one set: per series, its k largest losses with their scenario indices, sorted
 * by rank (loss descending, then scenario index ascending). The top k under that total order is
 * unique, so the tails do not depend on workers, chunks, tasks or the pilot.
 */
export interface ExactTails {
  set: string;
  k: number;
  nSeries: number;
  /** series x k: losses of series r at [r k, r k + k). */
  losses: Float64Array;
  /** series x k: the scenario index of each loss. */
  scenarios: Uint32Array;
}

/** One packed tail result (the layout of packTails) inside a buffer, from `start` on. */
export interface PackedTails {
  data: Float64Array;
  start: number;
}

/**
 * Layout: [size_0 .. size_{n-1}, values of series 0, 1, ..., indices of series 0, 1, ...], after
 * `head` leading slots. Each series must already be sorted by rank (the worker sorts in WASM,
 * tailsSort): merges rely on it and check it as they read.
 */
export function packTails(
  nSeries: number,
  cap: number,
  size: Int32Array,
  val: Float64Array,
  idx: Float64Array,
  head = 0,
): Float64Array {
  let total = 0;
  for (let r = 0; r < nSeries; r++) total += size[r];
  const out = new Float64Array(head + nSeries + 2 * total);
  let o = head + nSeries;
  for (let r = 0; r < nSeries; r++) {
    out[head + r] = size[r];
    out.set(val.subarray(r * cap, r * cap + size[r]), o);
    o += size[r];
  }
  for (let r = 0; r < nSeries; r++) {
    out.set(idx.subarray(r * cap, r * cap + size[r]), o);
    o += size[r];
  }
  return out;
}

/**
 * The set's exact tails from its tasks' packs. Each task holds the exact top k (among losses not
 * below its bar) of the scenarios it ran, so the set's top k is the top k of their union: per
 * series, the first k of the packs' sorted lists merged, O(k) per series and pack.
 */
export function mergePacks(set: string, packs: PackedTails[], nSeries: number, k: number): ExactTails {
  const lists = new SortedLists(packs, nSeries);
  const losses = new Float64Array(nSeries * k);
  const scenarios = new Uint32Array(nSeries * k);
  const vals = new Float64Array(k);
  const idxs = new Float64Array(k);
  for (let r = 0; r < nSeries; r++) {
    const n = lists.open(r);
    if (n < k) throw new Error(`internal: ${n} tail losses for a tail of ${k} in series ${r}`);
    lists.merge(k, vals, idxs);
    lists.close();
    losses.set(vals, r * k);
    scenarios.set(idxs, r * k);
  }
  return { set, k, nSeries, losses, scenarios };
}

/**
 * Merges packs into one pack holding the top `cap` of their union per series: the associative
 * merge of task results (merge(a, merge(b, c)) = merge(merge(a, b), c) = the top cap of a, b and
 * c), written straight into the packed layout.
 */
export function mergeToPack(packs: PackedTails[], nSeries: number, cap: number): Float64Array {
  const lists = new SortedLists(packs, nSeries);
  const size = new Int32Array(nSeries);
  let total = 0;
  for (const { data, start } of packs) for (let r = 0; r < nSeries; r++) size[r] += data[start + r];
  for (let r = 0; r < nSeries; r++) total += size[r] = Math.min(cap, size[r]);
  const out = new Float64Array(nSeries + 2 * total);
  let at = nSeries;
  for (let r = 0; r < nSeries; r++) {
    const n = size[r];
    out[r] = n;
    lists.open(r);
    lists.merge(n, out.subarray(at, at + n), out.subarray(total + at, total + at + n));
    lists.close();
    at += n;
  }
  return out;
}

/**
 * The running merge of a pass's task results, kept to the top `cap` per series as they arrive.
 * Packs are merged like a binary counter (two of a level make one of the next), so each loss is
 * copied about log2(tasks) times, in two-list merges that stream; the pass ends with one pack,
 * and memory holds at most `cap` losses per series and level, however many tasks ran.
 */
export class TailMerger {
  private readonly levels: (Float64Array | undefined)[] = [];

  constructor(
    private readonly nSeries: number,
    private readonly cap: number,
  ) {}

  add(pack: Float64Array): void {
    let carry = pack;
    for (let l = 0; ; l++) {
      const here = this.levels[l];
      if (here === undefined) {
        this.levels[l] = carry;
        return;
      }
      this.levels[l] = undefined;
      carry = mergeToPack(
        [
          { data: here, start: 0 },
          { data: carry, start: 0 },
        ],
        this.nSeries,
        this.cap,
      );
    }
  }

  /** One pack with the top `cap` per series of everything added (empty lists if nothing was). */
  result(): PackedTails {
    const packs = this.levels.filter((p): p is Float64Array => p !== undefined).map((data) => ({ data, start: 0 }));
    if (packs.length === 1) return packs[0];
    return { data: mergeToPack(packs, this.nSeries, this.cap), start: 0 };
  }
}

/** Up to this many lists, a scan for the best head beats a heap of heads. */
const SCAN_LISTS = 4;

/**
 * A merge over the packs' lists of one series at a time, each sorted by rank (`merge`). It
 * checks the lists' order as far as it reads, since a list out of order would silently give a
 * wrong tail.
 */
export class SortedLists {
  private readonly data: Float64Array[];
  private readonly sizeAt: number[];
  /** Per pack: where the next series' values and indices start. */
  private readonly valueAt: number[];
  private readonly indexAt: number[];
  /** Per pack, for the open series: next position and end (values), offset to indices. */
  private readonly pos: Int32Array;
  private readonly end: Int32Array;
  private readonly toIndex: Int32Array;
  private readonly heap: Int32Array;
  private series = -1;

  constructor(
    packs: PackedTails[],
    private readonly nSeries: number,
  ) {
    this.data = packs.map((p) => p.data);
    this.sizeAt = packs.map((p) => p.start);
    this.valueAt = packs.map((p) => p.start + nSeries);
    this.indexAt = packs.map(({ data, start }) => {
      let total = 0;
      for (let r = 0; r < nSeries; r++) total += data[start + r];
      return start + nSeries + total;
    });
    this.pos = new Int32Array(packs.length);
    this.end = new Int32Array(packs.length);
    this.toIndex = new Int32Array(packs.length);
    this.heap = new Int32Array(packs.length);
  }

  /** Opens series r (the next one: series are read in order); returns its number of losses. */
  open(r: number): number {
    if (r !== this.series + 1 || r >= this.nSeries) throw new Error(`internal: series ${r} read out of order`);
    this.series = r;
    let n = 0;
    for (let p = 0; p < this.data.length; p++) {
      const m = this.data[p][this.sizeAt[p] + r];
      this.pos[p] = this.valueAt[p];
      this.end[p] = this.valueAt[p] + m;
      this.toIndex[p] = this.indexAt[p] - this.valueAt[p];
      n += m;
    }
    return n;
  }

  /**
   * Writes the first `count` losses of the open series in rank order to vals and idxs. The best
   * list gives a run of losses while its head still ranks before every other list's head, so the
   * choice of list is paid per run, not per loss: by a scan over the lists when they are few, by a
   * heap of their heads when they are many (a set cut into tens of tasks). Each loss written must
   * not rank before the one written just before it: that catches a list out of order as far as it
   * is read.
   */
  merge(count: number, vals: Float64Array, idxs: Float64Array): void {
    if (this.data.length > SCAN_LISTS) this.mergeByHeap(count, vals, idxs);
    else this.mergeByScan(count, vals, idxs);
  }

  private mergeByScan(count: number, vals: Float64Array, idxs: Float64Array): void {
    const { data, pos, end, toIndex } = this;
    let t = 0;
    while (t < count) {
      let best = -1;
      let bv = 0;
      let bi = 0;
      let second = false;
      let sv = 0;
      let si = 0;
      for (let p = 0; p < data.length; p++) {
        const q = pos[p];
        if (q === end[p]) continue;
        const d = data[p];
        const v = d[q];
        const i = d[q + toIndex[p]];
        if (best < 0 || v > bv || (v === bv && i < bi)) {
          if (best >= 0) {
            second = true;
            sv = bv;
            si = bi;
          }
          best = p;
          bv = v;
          bi = i;
        } else if (!second || v > sv || (v === sv && i < si)) {
          second = true;
          sv = v;
          si = i;
        }
      }
      if (best < 0) throw new Error(`internal: series ${this.series} has no loss left`);
      t = this.run(best, t, count, second, sv, si, vals, idxs);
    }
  }

  private mergeByHeap(count: number, vals: Float64Array, idxs: Float64Array): void {
    const { data, pos, end, toIndex } = this;
    const heap = this.heap;
    let n = 0;
    for (let p = 0; p < data.length; p++) if (pos[p] < end[p]) heap[n++] = p;
    // Heap of lists, best head at the root.
    const before = (a: number, b: number) => {
      const va = data[a][pos[a]];
      const vb = data[b][pos[b]];
      return va > vb || (va === vb && data[a][pos[a] + toIndex[a]] < data[b][pos[b] + toIndex[b]]);
    };
    const siftDown = (at: number) => {
      const p = heap[at];
      for (;;) {
        let c = 2 * at + 1;
        if (c >= n) break;
        if (c + 1 < n && before(heap[c + 1], heap[c])) c++;
        if (!before(heap[c], p)) break;
        heap[at] = heap[c];
        at = c;
      }
      heap[at] = p;
    };
    for (let at = (n >> 1) - 1; at >= 0; at--) siftDown(at);
    let t = 0;
    while (t < count) {
      if (n === 0) throw new Error(`internal: series ${this.series} has no loss left`);
      const best = heap[0];
      // The runner-up is the better of the root's children.
      let second = false;
      let sv = 0;
      let si = 0;
      if (n > 1) {
        const c = n > 2 && before(heap[2], heap[1]) ? heap[2] : heap[1];
        second = true;
        sv = data[c][pos[c]];
        si = data[c][pos[c] + toIndex[c]];
      }
      t = this.run(best, t, count, second, sv, si, vals, idxs);
      if (pos[best] === end[best]) heap[0] = heap[--n];
      if (n > 0) siftDown(0);
    }
  }

  /** Copies list p's run of losses that rank before (sv, si), from output slot t; returns the next slot. */
  private run(
    p: number,
    t: number,
    count: number,
    second: boolean,
    sv: number,
    si: number,
    vals: Float64Array,
    idxs: Float64Array,
  ): number {
    const d = this.data[p];
    const off = this.toIndex[p];
    const e = this.end[p];
    let q = this.pos[p];
    do {
      const v = d[q];
      const i = d[q + off];
      if (v !== v || (t > 0 && (v > vals[t - 1] || (v === vals[t - 1] && i < idxs[t - 1])))) {
        throw new Error(`internal: a task's tail list of series ${this.series} is not sorted`);
      }
      vals[t] = v;
      idxs[t] = i;
      t++;
      q++;
    } while (t < count && q < e && (!second || d[q] > sv || (d[q] === sv && d[q + off] < si)));
    this.pos[p] = q;
    return t;
  }

  /** Moves past the open series. */
  close(): void {
    for (let p = 0; p < this.data.length; p++) {
      const m = this.data[p][this.sizeAt[p] + this.series];
      this.valueAt[p] += m;
      this.indexAt[p] += m;
    }
  }
}
