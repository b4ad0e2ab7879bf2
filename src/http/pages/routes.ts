/**
 * The web pages (issue 8): the patient's grant page (`/invite#<secret>`), the patient's management
 * page (`/manage#<secret>`), the doctor's SMART Health Link viewer (`/view#shlink:/…`) and their
 * static assets (`/assets/*`: CSS, plain ES modules, the zh-CN / en message catalogues).
 *
 * Invariants: every answer of this router carries the strict Content-Security-Policy below (no
 * inline script or style, no third-party origin, no framing), `Referrer-Policy: no-referrer` and
 * `nosniff`; the HTML is never cached (a revoked link must not linger in a cache). Secrets and the
 * SHL key travel only in the URL fragment, which browsers never send to a server (RFC 3986 §3.5),
 * so nothing here ever sees them. The build copies nothing: assets are served from the source
 * folder `src/http/pages/` under the package root, found by walking up from this module (the same
 * from `src/` under tsx and from `dist/src/` after `tsc`).
 */
import express, { Router, type RequestHandler } from 'express';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** CSP of every page and asset (CSP Level 3; nothing inline, nothing from elsewhere). */
export const PAGES_CSP =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
  "form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

export const PAGE_FILES = { '/invite': 'invite.html', '/manage': 'manage.html', '/view': 'view.html' } as const;

export interface PagesOptions {
  /** Folder holding the HTML, `assets/` and `i18n/`; default `<package root>/src/http/pages`. */
  dir?: string;
}

/** The nearest folder at or above `from` (a file URL or path) that holds a package.json. */
export function packageRoot(from: string = import.meta.url): string {
  let dir = path.dirname(from.startsWith('file:') ? fileURLToPath(from) : path.resolve(from));
  for (;;) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new TypeError(`no package.json above ${from}`);
    dir = up;
  }
}

export function defaultPagesDir(): string {
  return path.join(packageRoot(), 'src', 'http', 'pages');
}

const securityHeaders: RequestHandler = (_req, res, next) => {
  res.setHeader('Content-Security-Policy', PAGES_CSP);
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  next();
};

export function pagesRouter(options: PagesOptions = {}): Router {
  const dir = path.resolve(options.dir ?? defaultPagesDir());
  const missing = [...Object.values(PAGE_FILES), 'assets', 'i18n/zh-CN.json', 'i18n/en.json'].filter((f) => !existsSync(path.join(dir, f)));
  if (missing.length) throw new TypeError(`web pages folder ${dir} lacks ${missing.join(', ')}`);

  const r = Router();
  const staticOptions = { index: false, dotfiles: 'ignore', fallthrough: true, redirect: false, maxAge: 0 } as const;
  r.use('/assets', securityHeaders);
  r.use('/assets/i18n', express.static(path.join(dir, 'i18n'), staticOptions));
  r.use('/assets', express.static(path.join(dir, 'assets'), staticOptions));
  for (const [route, file] of Object.entries(PAGE_FILES)) {
    r.get(route, securityHeaders, (_req, res, next) => {
      res.setHeader('Cache-Control', 'no-store');
      res.type('html').sendFile(path.join(dir, file), (err) => {
        if (err) next(err);
      });
    });
  }
  return r;
}
