// Prints each embeddable widget's gzipped size as a host page loads it: its module, every chunk it imports
// (statically, transitively) and the shared stylesheet. Reads the built server/dist (npm run build first).
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const dist = resolve(dirname(fileURLToPath(import.meta.url)), '../server/dist');
const gz = (path) => gzipSync(readFileSync(path), { level: 9 }).length;
const kb = (n) => `${(n / 1024).toFixed(1)} KiB`;

function closure(path, seen = new Set()) {
  if (seen.has(path)) return seen;
  seen.add(path);
  const text = readFileSync(path, 'utf8');
  for (const m of text.matchAll(/(?:import|export)\s*(?:[^'"()]*?from\s*)?["']([^"']+\.js)["']/g)) {
    closure(resolve(dirname(path), m[1]), seen);
  }
  return seen;
}

if (!existsSync(join(dist, 'widgets'))) {
  console.error('widget-sizes: server/dist/widgets is missing: run npm run build first');
  process.exit(1);
}
const css = gz(join(dist, 'widgets/convrs.css'));
const rows = [];
for (const name of readdirSync(join(dist, 'widgets')).filter((f) => f.endsWith('.js')).sort()) {
  const files = [...closure(join(dist, 'widgets', name))];
  const js = files.reduce((sum, f) => sum + gz(f), 0);
  rows.push(`| ${name.replace(/\.js$/, '')} | ${kb(js)} | ${kb(js + css)} | ${files.length} |`);
}
const index = readFileSync(join(dist, 'index.html'), 'utf8');
const consoleFiles = [...index.matchAll(/(?:src|href)="\/(assets\/[^"]+\.js)"/g)].map((m) => join(dist, m[1]));
const consoleJs = consoleFiles.reduce((sum, f) => sum + gz(f), 0);
console.log('| Widget | JS (gzip) | JS + CSS (gzip) | JS files |');
console.log('|---|---|---|---|');
for (const r of rows) console.log(r);
console.log(`| (the console, demo host) | ${kb(consoleJs)} | ${kb(consoleJs + css)} | ${consoleFiles.length} |`);
