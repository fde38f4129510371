// trunk post_build hook (Trunk.toml), release builds only: one smaller build of the app per page.
//
// The full app (bin swarmscope-web, src/main.rs) links every scenario and every study, ~315 KB
// gzipped. A page needs one scenario at most: the gallery links none, a scenario's page only its
// own (bins page-*, src/bin/web/). This script builds those bins as trunk builds the app (same
// cargo profile and features, wasm-bindgen --target web, wasm-opt -Oz --low-memory-unused, the
// glue minified by terser), writes them into the staging dir with content hashes in their names,
// and replaces trunk's loader in index.html with one that picks the page's build from the URL:
// `s=<id>` → page-<id>, no `s=` or an unknown id → page-gallery (which shows the bad-link banner;
// a test checks that every scenario of the catalogue has its page bin). The full app is then left
// out of the dist. The app loads another page's build itself when the user opens another
// scenario (ui::app).
//
// SWARMSCOPE_PAGES=0 skips it: every page then loads the full app, as in debug builds.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { minify } from 'terser';

const fail = (what) => {
  console.error(`pages: ${what}`);
  process.exit(1);
};
const stage = process.env.TRUNK_STAGING_DIR;
if (!stage) fail('TRUNK_STAGING_DIR is not set: this script is run by trunk as a post_build hook');
if (process.env.TRUNK_PROFILE !== 'release') process.exit(0);
if (process.env.SWARMSCOPE_PAGES === '0') {
  console.log('pages: SWARMSCOPE_PAGES=0, every page loads the full app');
  process.exit(0);
}
const root = resolve(process.env.TRUNK_SOURCE_DIR ?? '.');
const env = { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` };

// The page bins, from Cargo.toml (a test checks there is one per scenario of the catalogue).
const manifest = readFileSync(join(root, 'Cargo.toml'), 'utf8');
const bins = [...manifest.matchAll(/^name = "(page-[a-z0-9-]+)"$/gm)].map((m) => m[1]);
if (!bins.includes('page-gallery')) fail('Cargo.toml has no bin page-gallery');

const run = (cmd, args) =>
  new Promise((ok, no) => {
    const p = spawn(cmd, args, { cwd: root, env, stdio: ['ignore', 'inherit', 'inherit'] });
    p.on('error', no);
    p.on('exit', (code) => (code === 0 ? ok() : no(new Error(`${cmd} ${args.join(' ')}: exit ${code}`))));
  });

const t0 = Date.now();
try {
  // One cargo run: the library is already built (trunk built the app with the same profile and
  // features); cargo links the page bins side by side.
  await run('cargo', [
    'build', '--target=wasm32-unknown-unknown', '--manifest-path', join(root, 'Cargo.toml'),
    '--profile', 'web', '--offline', '--no-default-features', '--features', 'web',
    ...bins.flatMap((b) => ['--bin', b]),
  ]);
} catch (e) {
  fail(e.message);
}

const out = join(root, 'target/wasm-bindgen/pages');
mkdirSync(out, { recursive: true });
const hash = (...bufs) => {
  const h = createHash('sha256');
  for (const b of bufs) h.update(b);
  return h.digest('hex').slice(0, 16);
};

// wasm-bindgen, wasm-opt and terser for one bin; returns its file names in the staging dir.
async function finish(bin) {
  await run('wasm-bindgen', [
    '--target=web', `--out-dir=${out}`, `--out-name=${bin}`,
    join(root, `target/wasm32-unknown-unknown/web/${bin}.wasm`), '--no-typescript',
  ]);
  const wasmIn = join(out, `${bin}_bg.wasm`);
  const wasmOpt = join(out, `${bin}_opt.wasm`);
  // As index.html has trunk run it for the app (data-wasm-opt="z", --low-memory-unused).
  await run('wasm-opt', [`--output=${wasmOpt}`, '-Oz', wasmIn, '--low-memory-unused']);
  const wasm = readFileSync(wasmOpt);
  const glue = await minify(readFileSync(join(out, `${bin}.js`), 'utf8'), {
    module: true, compress: true, mangle: true,
  });
  if (!glue.code) throw new Error(`terser returned nothing for ${bin}.js`);
  const name = `${bin}-${hash(wasm, glue.code)}`;
  writeFileSync(join(stage, `${name}_bg.wasm`), wasm);
  writeFileSync(join(stage, `${name}.js`), glue.code);
  return { bin, js: `${name}.js`, wasm: `${name}_bg.wasm`, bytes: wasm.length };
}

const built = [];
const queue = [...bins];
const worker = async () => {
  for (let b = queue.shift(); b; b = queue.shift()) built.push(await finish(b));
};
try {
  await Promise.all([worker(), worker()]);
} catch (e) {
  fail(e.message);
}

// The loader: trunk's script and preload links for the full app give way to one that picks.
const htmlPath = join(stage, 'index.html');
let html = readFileSync(htmlPath, 'utf8');
const script = html.match(/<script type=module>import init, \* as bindings from '([^']*)swarmscope-web-[0-9a-f]+\.js';[\s\S]*?<\/script>/);
if (!script) fail("index.html has no trunk loader for swarmscope-web (did trunk's output change?)");
const base = script[1];
const map = {};
for (const b of built) map[b.bin === 'page-gallery' ? '' : b.bin.slice('page-'.length)] = [b.js, b.wasm];
// The query as ui::dom::location_query reads it (search, else hash, without leading `?`/`#`),
// `s=` as `Run::parse` and ui::app's `drawn_by` read it (the last one, percent-decoded).
// A classic script at the top of <head> picks the page's build and preloads it at once (a module
// script would wait for the stylesheets); the module script at trunk's place then starts it.
const pick =
  '<script>{' +
  `const B=${JSON.stringify(base)},P=${JSON.stringify(map)};` +
  "const h=(k)=>Object.hasOwn(P,k)?P[k]:null," +
  "q=(location.search.replace(/^[?#]+/,'')||location.hash.replace(/^[?#]+/,'')),p=q.split('&').filter(x=>x.startsWith('s=')).pop();" +
  "let s='';try{s=p?decodeURIComponent(p.slice(2)):''}catch(e){}" +
  "const f=(h(s)||P['']).map(x=>B+x);window.__swarmscopeBuild=f;" +
  "for(const[r,h]of[['modulepreload',f[0]],['preload',f[1]]]){const l=document.createElement('link');" +
  "l.rel=r;l.href=h;l.crossOrigin='anonymous';if(r=='preload'){l.as='fetch';l.type='application/wasm'}document.head.append(l)}" +
  // A link to another page prefetches that page's build when pointed at or focused.
  "const d={};for(const e of['pointerover','focusin'])addEventListener(e,v=>{" +
  "const a=v.target.closest&&v.target.closest('a[href]'),m=a&&/[?&#]s=([a-z0-9-]+)/.exec(a.getAttribute('href'));" +
  "if(!m||d[m[1]]||!h(m[1])||h(m[1])==h(s))return;d[m[1]]=1;" +
  "for(const x of P[m[1]]){const l=document.createElement('link');l.rel='prefetch';l.href=B+x;document.head.append(l)}})" +
  '}</script>';
const loader =
  '<script type=module>' +
  'const[j,w]=window.__swarmscopeBuild,m=await import(j),wasm=await m.default({module_or_path:fetch(w)});' +
  'window.wasmBindings=m;dispatchEvent(new CustomEvent("TrunkApplicationStarted",{detail:{wasm}}));' +
  '</script>';
html = html.replace(script[0], loader);
const firstLink = html.indexOf('<link');
if (firstLink < 0) fail('index.html has no <link> to put the build picker before');
html = html.slice(0, firstLink) + pick + html.slice(firstLink);
html = html.replace(/<link[^>]*swarmscope-web-[0-9a-f]+(?:_bg\.wasm|\.js)[^>]*>/g, '');
writeFileSync(htmlPath, html);
// No page loads the full app now: it is left out of the release dist.
for (const f of readdirSync(stage)) if (/^swarmscope-web-[0-9a-f]+(?:_bg\.wasm|\.js)$/.test(f)) unlinkSync(join(stage, f));
built.sort((a, b) => a.bin.localeCompare(b.bin));
for (const b of built) console.log(`pages: ${b.js.padEnd(36)} ${(b.bytes / 1000).toFixed(1)} KB wasm`);
console.log(`pages: ${built.length} page builds in ${((Date.now() - t0) / 1000).toFixed(0)} s`);
