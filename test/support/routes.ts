/**
 * Lists the endpoints an express 5 application answers, by walking its router stack
 * (`app.router.stack`, router 2.x layers): every route (method + full path pattern, `ALL` for
 * `router.all`) and every static-file mount (`GET <prefix>/*`), through nested routers.
 *
 * Invariants: plain middleware (helmet, authentication, CORS, error handlers) is not an endpoint
 * and is skipped; a layer whose path is a RegExp or whose shape this walker does not know is an
 * error (TypeError), so a router the walker cannot read makes the caller fail instead of silently
 * listing fewer routes.
 */
import type { Express } from 'express';

export interface Endpoint {
  /** Upper-case HTTP method, or `ALL` for `router.all(...)`. */
  method: string;
  /** Full path pattern as declared, e.g. `/fhir/Bundle/:id`. */
  path: string;
}

interface LayerLike {
  rawPath?: unknown;
  slash?: boolean;
  name?: string;
  handle?: { stack?: LayerLike[] } & ((...args: unknown[]) => unknown);
  route?: { path: unknown; methods: Record<string, boolean> };
}

function prefixes(layer: LayerLike): string[] {
  const raw = layer.rawPath;
  if (layer.slash || raw === undefined || raw === '/') return [''];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((p) => {
    if (typeof p !== 'string') throw new TypeError(`cannot list a route mounted at a non-string path (${String(p)})`);
    return p.replace(/\/+$/, '');
  });
}

function walk(stack: LayerLike[], base: string, out: Endpoint[]): void {
  for (const layer of stack) {
    if (layer.route) {
      const paths = Array.isArray(layer.route.path) ? layer.route.path : [layer.route.path];
      const methods = Object.keys(layer.route.methods).map((m) => (m === '_all' ? 'ALL' : m.toUpperCase()));
      for (const p of paths) {
        if (typeof p !== 'string') throw new TypeError(`cannot list a route with a non-string path under ${base || '/'}`);
        for (const method of methods) out.push({ method, path: `${base}${p}` });
      }
      continue;
    }
    if (Array.isArray(layer.handle?.stack)) {
      for (const prefix of prefixes(layer)) walk(layer.handle.stack, `${base}${prefix}`, out);
      continue;
    }
    // express.static() (serve-static) answers GET/HEAD for any file below its mount point.
    if (layer.name === 'serveStatic') {
      for (const prefix of prefixes(layer)) out.push({ method: 'GET', path: `${base}${prefix}/*` });
    }
  }
}

/** Every endpoint of the app, in registration order, without duplicates. */
export function listEndpoints(app: Express): Endpoint[] {
  const router = (app as unknown as { router?: { stack?: LayerLike[] } }).router;
  if (!Array.isArray(router?.stack)) throw new TypeError('not an express 5 application (no app.router.stack)');
  const out: Endpoint[] = [];
  walk(router.stack, '', out);
  const seen = new Set<string>();
  return out.filter((e) => {
    const key = `${e.method} ${e.path}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
