/**
 * Child-process helper for independent-verification.test.ts: signs a Bundle (argv[2]) with the
 * example gateway key through the gateway's own code and prints { bundle, jwks } as JSON, so the
 * test process itself never imports src/trust.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createGatewayKeys, jwks, signDocument } from '../../../src/trust/index.js';

const certs = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../certs-example');
const read = (f: string) => fs.readFileSync(path.join(certs, f), 'utf8');
const now = () => new Date(process.argv[3] ?? Date.now());
const keys = createGatewayKeys({ privateKeyPem: read('gateway.key.pem'), certificateChainPem: read('gateway.cert.pem') });
const bundle = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8'));
const signed = await signDocument(bundle, { key: keys.current.privateKey, chain: keys.current.chain, kid: keys.current.kid, alg: keys.current.alg, now, purpose: 'verification' });
process.stdout.write(JSON.stringify({ bundle: signed, jwks: jwks(keys, now) }));
