// JSON for people: indented like JSON.stringify(doc, null, 2), but an array of plain values (a
// matrix row, a list of ids) always on one line, and a small object of plain values
// ({ id, spot, vol }) on one line when it fits in 100 characters.

const plain = (v: unknown) => v === null || typeof v !== 'object';

function inline(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map((x) => JSON.stringify(x)).join(', ')}]`;
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  return `{ ${entries.map(([k, x]) => `${JSON.stringify(k)}: ${JSON.stringify(x)}`).join(', ')} }`;
}

function format(v: unknown, indent: string): string {
  if (plain(v)) return JSON.stringify(v);
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[]';
    if (v.every(plain)) return inline(v);
    return `[\n${v.map((x) => inner + format(x, inner)).join(',\n')}\n${indent}]`;
  }
  const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
  if (entries.length === 0) return '{}';
  if (entries.every(([, x]) => plain(x))) {
    const one = inline(v);
    if (indent.length + one.length <= 100) return one;
  }
  return `{\n${entries.map(([k, x]) => `${inner}${JSON.stringify(k)}: ${format(x, inner)}`).join(',\n')}\n${indent}}`;
}

export function prettyJson(doc: unknown): string {
  return format(JSON.parse(JSON.stringify(doc)), '') + '\n';
}
