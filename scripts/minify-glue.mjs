// trunk post_build hook (Trunk.toml): minifies the page's wasm-bindgen JS glue in release builds
// and rewrites its integrity hash in index.html; also fixes the worker's loader shim (below).
// Trunk 0.21's own JS minifier cannot parse the glue (it warns "Failed to minify JS" and ships it
// as is); terser (package.json) can: 55 KB → 24 KB, 9.1 → 7.0 KB gzipped of the first load. The
// glue's exports keep their names (module mode mangles only what is local), so the loader's
// `import init, * as bindings` and `window.wasmBindings` see the same API.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify } from 'terser';

const fail = (what) => {
  console.error(`minify-glue: ${what}`);
  process.exit(1);
};
const dir = process.env.TRUNK_STAGING_DIR;
if (!dir) fail('TRUNK_STAGING_DIR is not set: this script is run by trunk as a post_build hook');
if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);

const sri = (text) => `sha384-${createHash('sha384').update(text).digest('base64')}`;
const htmlPath = join(dir, 'index.html');
let html = readFileSync(htmlPath, 'utf8');
const glue = readdirSync(dir).filter((f) => /^swarmscope-web-[0-9a-f]+\.js$/.test(f));
if (glue.length !== 1) fail(`expected one swarmscope-web-*.js in ${dir}, found ${glue.length}`);
for (const f of glue) {
  const path = join(dir, f);
  const src = readFileSync(path, 'utf8');
  const before = sri(src);
  if (!html.includes(before)) fail(`index.html does not carry ${f}'s integrity hash`);
  const out = await minify(src, { module: true, compress: true, mangle: true });
  if (!out.code) fail(`terser returned nothing for ${f}`);
  writeFileSync(path, out.code);
  html = html.replaceAll(before, sri(out.code));
  console.log(`minify-glue: ${f} ${src.length} → ${out.code.length} bytes`);
}
writeFileSync(htmlPath, html);

// trunk's loader shim for the Web Worker calls wasm-bindgen's init with a bare path, which
// wasm-bindgen 0.2.130 accepts but warns about in the console ("using deprecated parameters for
// the initialization function"): pass it as the object the warning asks for.
const shim = join(dir, 'swarmscope-worker_loader.js');
const shimText = readFileSync(shim, 'utf8');
const fixed = shimText.replace(/wasm_bindgen\(("[^"]+")\)/, 'wasm_bindgen({module_or_path:$1})');
if (fixed === shimText) fail(`${shim} has no wasm_bindgen("…") call to fix (did trunk's shim change?)`);
writeFileSync(shim, fixed);
