import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface ExampleServerOptions {
  /** The gateway's GraphQL URL; the page's `/graphql` is proxied there, as a frontend dev server does. */
  readonly gatewayUrl: string;
  /** Where Cobalt's frontend SDK sends its calls (the emulator in development). */
  readonly cobaltBaseUrl: string;
  /** Stands in for the signed-in user's identity-provider token. */
  readonly bearerToken: string;
  readonly port?: number;
}

/**
 * Serves examples/web: the page, its script bundled by esbuild (the generated typed documents,
 * graphql's `print`, and the real `@cobaltio/cobalt-js`), and a proxy to the gateway.
 */
export async function startExampleServer(
  options: ExampleServerOptions,
): Promise<{ url: string; close(): Promise<void> }> {
  const bundle = await build({
    entryPoints: [join(__dirname, 'main.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    target: 'es2020',
    minify: true,
    define: { 'process.env.NODE_ENV': '"production"' },
    logLevel: 'silent',
  });
  const output = bundle.outputFiles[0];
  if (output === undefined) throw new Error('esbuild produced no bundle');
  const script = output.contents;
  const config = JSON.stringify({ cobaltBaseUrl: options.cobaltBaseUrl, bearerToken: options.bearerToken }).replace(
    /</g,
    '\\u003c',
  );
  const html = readFileSync(join(__dirname, 'index.html'), 'utf8').replace('__CONFIG__', config);

  const server = http.createServer((req, res) => {
    if (req.url === '/' || req.url === '/index.html') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' }).end(html);
    } else if (req.url === '/main.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(script);
    } else if (req.url === '/graphql' && req.method === 'POST') {
      const upstream = http.request(options.gatewayUrl, { method: 'POST', headers: req.headers }, (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      });
      upstream.on('error', () => res.writeHead(502).end());
      req.pipe(upstream);
    } else if (req.url === '/favicon.ico') {
      res.writeHead(204).end();
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(options.port ?? 0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

// `npx tsx examples/web/serve.ts <graphql url> <cobalt base url> <bearer token>`: the three values
// `npm start` prints in its banner.
if (require.main === module) {
  const [gatewayUrl, cobaltBaseUrl, bearerToken] = process.argv.slice(2);
  if (gatewayUrl === undefined || cobaltBaseUrl === undefined || bearerToken === undefined) {
    process.stderr.write('usage: npx tsx examples/web/serve.ts <graphql url> <cobalt base url> <bearer token>\n');
    process.exit(2);
  }
  void startExampleServer({ gatewayUrl, cobaltBaseUrl, bearerToken, port: 5173 }).then(({ url }) => {
    process.stdout.write(`example page: ${url}\n`);
  });
}
