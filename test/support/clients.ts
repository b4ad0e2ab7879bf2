/**
 * Acts as the example participants of certs-example/clients.json, the way an outside system would:
 * a SMART Backend Services client assertion signed with the participant's key (jose, RS384),
 * exchanged at POST /auth/token for an access token.
 */
import { readFileSync } from 'node:fs';
import { randomUUID, createPrivateKey } from 'node:crypto';
import path from 'node:path';
import { SignJWT } from 'jose';
import { repoRoot, startTestServer, type TestServer } from './server.js';

export interface ExampleClient {
  client_id: string;
  role: string;
  organization: string;
  private_key: string;
  certificate: string;
}

const dir = path.join(repoRoot, 'certs-example');
export const exampleClients: ExampleClient[] = JSON.parse(readFileSync(path.join(dir, 'clients.json'), 'utf8'));

export function client(role: string, index = 0): ExampleClient {
  const c = exampleClients.filter((x) => x.role === role)[index];
  if (!c) throw new TypeError(`no example client with role ${role} #${index}`);
  return c;
}

export function privateKeyOf(c: ExampleClient) {
  return createPrivateKey(readFileSync(path.join(dir, c.private_key), 'utf8'));
}

export async function clientAssertion(c: ExampleClient, tokenUrl: string, overrides: { jti?: string; exp?: number } = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'RS384', typ: 'JWT' })
    .setIssuer(c.client_id)
    .setSubject(c.client_id)
    .setAudience(tokenUrl)
    .setIssuedAt(now)
    .setExpirationTime(overrides.exp ?? now + 120)
    .setJti(overrides.jti ?? randomUUID())
    .sign(privateKeyOf(c));
}

export async function requestToken(serverUrl: string, assertion: string): Promise<Response> {
  return fetch(`${serverUrl}/auth/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({
      grant_type: 'client_credentials',
      client_assertion_type: 'urn:ietf:params:oauth:client-assertion-type:jwt-bearer',
      client_assertion: assertion,
    }),
  });
}

export async function accessToken(serverUrl: string, c: ExampleClient): Promise<string> {
  const res = await requestToken(serverUrl, await clientAssertion(c, `${serverUrl}/auth/token`));
  const body = (await res.json()) as { access_token?: string };
  if (!res.ok || !body.access_token) throw new Error(`token request failed: ${res.status} ${JSON.stringify(body)}`);
  return body.access_token;
}

/**
 * Mocha hooks for a describe block: a fresh gateway (startTestServer) and an access token of the
 * first example participant with `role`; the returned object is filled in before the tests run.
 */
export function gatewayWithToken(role: string, env: Record<string, string> = {}): { server: TestServer; token: string } {
  const ctx = {} as { server: TestServer; token: string };
  before(async () => {
    ctx.server = await startTestServer(env);
    ctx.token = await accessToken(ctx.server.url, client(role, 0));
  });
  after(() => ctx.server?.close());
  return ctx;
}
