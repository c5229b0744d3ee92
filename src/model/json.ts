// A small JSON scanner that finds what JSON.parse will not tell: where a syntax error is (Node 20
// does not always give a position) and whether an object repeats a key (JSON.parse silently keeps
// the last one, which would let a typo or a copy-paste slip through). It does not build values:
// JSON.parse does that; this only walks the text once more.

export interface JsonProblem {
  kind: 'syntax' | 'duplicate';
  /** UTF-16 offset into the text. */
  offset: number;
  message: string;
  /** For duplicates: the path of the repeated field. */
  path: Array<string | number>;
}

class Stop extends Error {
  constructor(readonly problem: JsonProblem) {
    super(problem.message);
  }
}

/** The first syntax error or duplicate key in `text`, or null when it is clean JSON. */
export function scanJson(text: string): JsonProblem | null {
  let i = 0;
  const path: Array<string | number> = [];

  const fail = (message: string, at = i): never => {
    throw new Stop({ kind: 'syntax', offset: at, message, path: path.slice() });
  };
  const found = (): string => (i >= text.length ? 'the end of the file' : JSON.stringify(text[i]));
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) i++;
      else break;
    }
  };
  // Returns the string's value: field names are compared, so escapes must be decoded (a string
  // without a backslash is its own text, the common case, and needs no JSON.parse).
  const string = (): string => {
    const start = i;
    let escaped = false;
    i++; // opening quote
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 0x22) {
        i++;
        return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
      }
      if (c === 0x5c) {
        escaped = true;
        const e = text[i + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(i + 2, i + 6))) fail('bad \\u escape in a string');
          i += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) i += 2;
        else fail('bad escape in a string');
      } else if (c < 0x20) {
        fail('a string must not contain a raw line break or control character; close the string with "');
      } else i++;
    }
    return fail('unterminated string', start);
  };
  const numberAt = /-?(?:0|[1-9]\d*)(?:\.\d+)?(?:[eE][+-]?\d+)?/y;
  const number = (): void => {
    numberAt.lastIndex = i;
    if (!numberAt.test(text)) fail(`expected a value, found ${found()}`);
    i = numberAt.lastIndex;
  };
  const value = (): void => {
    ws();
    const c = text[i];
    if (c === '{') object();
    else if (c === '[') array();
    else if (c === '"') string();
    else if (c === '-' || (c >= '0' && c <= '9')) number();
    else {
      for (const word of ['true', 'false', 'null']) {
        if (text.startsWith(word, i)) {
          i += word.length;
          return;
        }
      }
      fail(`expected a value, found ${found()}`);
    }
  };
  // The field names met so far in each open object, one reused list per depth: a suite can have
  // millions of small objects, and a new Set for each would cost more than the scan itself.
  const namesAt: string[][] = [];
  let depth = 0;
  const object = (): void => {
    i++;
    const names = (namesAt[depth] ??= []);
    names.length = 0;
    let wide: Set<string> | undefined; // for objects keyed by many ids, from the 32nd field on
    depth++;
    ws();
    if (text[i] === '}') {
      i++;
      depth--;
      return;
    }
    for (;;) {
      ws();
      if (text[i] !== '"') fail(`expected a field name in double quotes, found ${found()}`);
      const at = i;
      const key = string();
      if (wide === undefined && names.length >= 32) wide = new Set(names);
      if (wide ? wide.has(key) : names.includes(key)) {
        throw new Stop({ kind: 'duplicate', offset: at, message: `duplicate field "${key}"`, path: [...path, key] });
      }
      if (wide) wide.add(key);
      else names.push(key);
      ws();
      if (text[i] !== ':') fail(`expected ':' after a field name, found ${found()}`);
      i++;
      path.push(key);
      value();
      path.pop();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === '}') {
        i++;
        depth--;
        return;
      }
      fail(`expected ',' or '}' after a field, found ${found()}`);
    }
  };
  const array = (): void => {
    i++;
    ws();
    if (text[i] === ']') {
      i++;
      return;
    }
    for (let k = 0; ; k++) {
      path.push(k);
      value();
      path.pop();
      ws();
      if (text[i] === ',') {
        i++;
        continue;
      }
      if (text[i] === ']') {
        i++;
        return;
      }
      fail(`expected ',' or ']' after a list item, found ${found()}`);
    }
  };

  try {
    value();
    ws();
    if (i < text.length) fail(`unexpected ${found()} after the end of the document`);
    return null;
  } catch (err) {
    if (err instanceof Stop) return err.problem;
    if (err instanceof RangeError) return null; // absurd nesting: leave it to JSON.parse
    throw err;
  }
}

/** 1-based line and column of a UTF-16 offset. */
export function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, text.length);
  for (let k = 0; k < end; k++) {
    if (text.charCodeAt(k) === 0x0a) {
      line++;
      lineStart = k + 1;
    }
  }
  return { line, column: end - lineStart + 1 };
}
