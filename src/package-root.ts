/**
 * The directory holding package.json: where policies/ and openapi.yaml live, whether the code runs
 * from src/ (TypeScript) or from dist/src/ (built).
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findPackageRoot(start: string): string {
  let directory = start;
  for (;;) {
    if (existsSync(path.join(directory, 'package.json'))) return directory;
    const parent = path.dirname(directory);
    if (parent === directory) throw new Error(`no package.json above ${start}`);
    directory = parent;
  }
}

export const packageRoot = findPackageRoot(path.dirname(fileURLToPath(import.meta.url)));

export function packagePath(...segments: string[]): string {
  return path.join(packageRoot, ...segments);
}
