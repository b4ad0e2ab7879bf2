/**
 * The CapabilityStatement tells the truth (issue 2): every interaction and operation it declares
 * has a route, and every FHIR route of the application is declared.
 */
import { expect } from 'chai';
import { startTestServer, type TestServer } from '../support/server.js';
import { listEndpoints } from '../support/routes.js';

const INTERACTION_ROUTES: Record<string, (type: string) => { method: string; path: string }> = {
  read: (t) => ({ method: 'GET', path: `/fhir/${t}/:id` }),
  'search-type': (t) => ({ method: 'GET', path: `/fhir/${t}` }),
  create: (t) => ({ method: 'POST', path: `/fhir/${t}` }),
};

describe('CapabilityStatement', function () {
  let server: TestServer;
  let statement: any;
  let routes: Set<string>;
  before(async () => {
    server = await startTestServer();
    statement = await (await fetch(`${server.base}/metadata`)).json();
    routes = new Set(listEndpoints(server.app).map((e) => `${e.method} ${e.path}`));
  });
  after(() => server.close());

  it('declares only interactions that have a route', () => {
    const missing: string[] = [];
    for (const r of statement.rest[0].resource) {
      for (const { code } of r.interaction) {
        const route = INTERACTION_ROUTES[code]!(r.type);
        const generic = `${route.method} ${route.path.replace(`/fhir/${r.type}`, '/fhir/:type')}`;
        if (!routes.has(`${route.method} ${route.path}`) && !routes.has(generic) && !routes.has(`${route.method} ${route.path.replace('/:id', '/:id')}`)) {
          missing.push(`${r.type} ${code}`);
        }
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('declares every FHIR resource type that has a route', () => {
    const declared = new Set(statement.rest[0].resource.map((r: { type: string }) => r.type));
    const routed = [...routes]
      .map((r) => /^(GET|POST) \/fhir\/([A-Z][A-Za-z]+)(\/|$)/.exec(r)?.[2])
      .filter((t): t is string => Boolean(t));
    expect([...new Set(routed)].filter((t) => !declared.has(t))).to.deep.equal([]);
  });

  it('declares every system-level operation that has a route, and no other', () => {
    const ops = new Set((statement.rest[0].operation ?? []).map((o: { name: string }) => o.name));
    const routed = new Set([...routes].map((r) => /^POST \/fhir\/\$([a-z]+)$/.exec(r)?.[1]).filter(Boolean));
    expect([...ops].sort()).to.deep.equal([...routed].sort());
  });
});
