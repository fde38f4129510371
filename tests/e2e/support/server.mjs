// A tiny static file server for the release build in dist/, bound to 127.0.0.1 only.
//
// As a module: `const srv = await serveDir('dist', 0); srv.url; await srv.close();`
// As a command (scripts/test.sh): `node tests/e2e/support/server.mjs dist 0` prints the URL on its
// first stdout line and serves until SIGTERM/SIGINT.
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.json': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
};

export async function serveDir(dir, port = 0, host = '127.0.0.1') {
  const root = resolve(dir);
  const index = join(root, 'index.html');
  await stat(index).catch(() => {
    throw new Error(`${index} not found: build first (trunk build --release --offline)`);
  });

  const server = createServer(async (req, res) => {
    try {
      const path = decodeURIComponent(new URL(req.url, 'http://x').pathname);
      let file = normalize(join(root, path));
      if (file !== root && !file.startsWith(root + sep)) {
        res.writeHead(403).end();
        return;
      }
      let info = await stat(file).catch(() => null);
      if (info?.isDirectory()) {
        file = join(file, 'index.html');
        info = await stat(file).catch(() => null);
      }
      if (!info) {
        // Single-page app: extension-less paths (routes) get index.html; missing assets get 404.
        if (extname(path) !== '') {
          res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
          return;
        }
        file = index;
      }
      const body = await readFile(file);
      res.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
        'cache-control': 'no-store',
      });
      res.end(req.method === 'HEAD' ? undefined : body);
    } catch (err) {
      res.writeHead(500, { 'content-type': 'text/plain' }).end(String(err));
    }
  });

  await new Promise((ok, fail) => {
    server.once('error', fail);
    server.listen(port, host, ok);
  });
  const url = `http://${host}:${server.address().port}/`;
  return {
    url,
    close: () =>
      new Promise((ok) => {
        server.closeAllConnections?.();
        server.close(() => ok());
      }),
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const [dir = 'dist', port = '0'] = process.argv.slice(2);
  const srv = await serveDir(dir, Number(port));
  console.log(srv.url);
  const stop = async () => {
    await srv.close();
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}
