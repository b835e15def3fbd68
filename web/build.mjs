// Builds the dashboard into web/dist (or --out DIR): index.html at the top, the ES modules, the stylesheet
// and Chart.js's browser bundle under assets/. No bundler: the modules are small and served as they are.
// Every asset URL carries a hash of the build, so browsers never mix files of two builds.
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const outArg = process.argv.indexOf('--out');
const out = resolve(outArg > 0 ? process.argv[outArg + 1] : join(here, 'dist'));
const src = join(here, 'src');
const chartJs = join(here, '..', 'node_modules', 'chart.js', 'dist', 'chart.umd.min.js');

let chart;
try {
  chart = readFileSync(chartJs);
} catch {
  console.error(`web/build.mjs: ${chartJs} is missing; run \`make deps\` (npm ci) first`);
  process.exit(1);
}

const files = new Map([['chart.umd.min.js', chart]]);
for (const name of readdirSync(src).sort())
  if (/\.(js|css)$/.test(name)) files.set(name, readFileSync(join(src, name)));
const hash = createHash('sha256');
for (const [name, body] of files) hash.update(name).update(body);
const version = hash.digest('hex').slice(0, 10);

// './api.js' -> './api.js?v=<build>' in import statements.
const stamp = (text) => text.replace(/(from\s+|import\s*\(\s*)(['"])(\.\/[\w.-]+\.js)\2/g, `$1$2$3?v=${version}$2`);

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'assets'), { recursive: true });
for (const [name, body] of files)
  writeFileSync(join(out, 'assets', name), name.endsWith('.js') && name !== 'chart.umd.min.js' ? stamp(body.toString()) : body);
const index = readFileSync(join(src, 'index.html'), 'utf8')
  .replace(/(["'])\/assets\/([\w.-]+)\1/g, `$1/assets/$2?v=${version}$1`);
writeFileSync(join(out, 'index.html'), index);
console.log(`dashboard built into ${out} (${files.size + 1} files, build ${version})`);
