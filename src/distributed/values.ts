// Task results as the coordinator reads them: doubles, through a bulk line (bulk-line.ts).
import type { BulkLine } from './bulk-line.js';

/** A task's result (doubles) at `key`, or undefined if it is not there. */
export async function readDoubles(line: BulkLine, key: string): Promise<Float64Array | undefined> {
  const bytes = await line.get(key);
  if (bytes === undefined) return undefined;
  if (bytes.byteLength % 8 !== 0) throw new Error(`internal: a result of ${bytes.byteLength} bytes`);
  // line.get gives a fresh array of its own, so its buffer is aligned and whole.
  return new Float64Array(bytes.buffer, bytes.byteOffset, bytes.byteLength / 8);
}
