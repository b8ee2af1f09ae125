import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

// The widgets are embedded on their own, so a feature never imports another feature or the demo console; what
// they share lives in src/shared (UI without GraphQL, the client) and src/gql (generated types).

const featuresDir = resolve(__dirname);
const srcDir = resolve(featuresDir, '..');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return /\.(ts|tsx)$/.test(name) ? [path] : [];
  });
}

/** The feature folder a path lies in ("admin-card"), or null outside src/features. */
function featureOf(path: string): string | null {
  const rel = relative(featuresDir, path);
  if (rel.startsWith('..')) return null;
  return rel.split(sep)[0];
}

function boundaryViolations(files: string[]): string[] {
  const violations: string[] = [];
  for (const file of files) {
    const own = featureOf(file);
    if (!own || own === relative(featuresDir, file)) continue; // files directly in src/features
    const text = readFileSync(file, 'utf8');
    for (const m of text.matchAll(/(?:import|export)[^'"]*?from\s+['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)) {
      const spec = m[1] ?? m[2];
      if (!spec?.startsWith('.')) continue;
      const target = resolve(dirname(file), spec);
      const other = featureOf(target);
      const inConsole = !relative(join(srcDir, 'console'), target).startsWith('..');
      if ((other && other !== own) || inConsole) {
        violations.push(`${relative(srcDir, file)} imports ${spec}`);
      }
    }
  }
  return violations;
}

describe('feature boundaries', () => {
  it('no feature imports another feature or the console', () => {
    expect(boundaryViolations(sourceFiles(featuresDir))).toEqual([]);
  });
});
