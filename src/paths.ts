import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/**
 * The package root, found by walking up from this module to the nearest package.json. The same
 * code runs compiled from dist/src/ and from src/ under vitest, so fixed '../..' hops would be
 * wrong in one of the two.
 */
export function packageRoot(): string {
  if (root) return root;
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('xmargin: cannot find the package root (no package.json above the module)');
    dir = up;
  }
  root = dir;
  return dir;
}

export function fromRoot(...parts: string[]): string {
  return join(packageRoot(), ...parts);
}
