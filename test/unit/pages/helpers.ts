/**
 * Loads the pages' client modules (plain ES modules under src/http/pages/assets/) into Node for
 * unit tests: Node 20 has WebCrypto, atob/btoa, TextEncoder and DecompressionStream like a browser.
 */
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../../support/server.js';

export const pagesDir = path.join(repoRoot, 'src/http/pages');
export const sharedDir = path.resolve(repoRoot, '../shared');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export async function client(name: string): Promise<any> {
  return import(pathToFileURL(path.join(pagesDir, 'assets', name)).href);
}
