/**
 * Development-mode demo (issue 8): at start-up the example Shanghai hospital submits one invented
 * discharge summary (test/fixtures/cn-t2dm-htn.json) and issues a patient invitation, whose URL is
 * printed so a developer can walk the whole flow in a browser: grant on /invite, read on /view,
 * manage on /manage. Never runs in production mode. Resubmission is idempotent, so restarts reuse
 * the same document; each start prints a fresh invitation.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import type { Gateway } from '../gateway/index.js';

export const DEMO_HOSPITAL = 'hospital-shanghai-example';

export async function startDemo(gateway: Gateway, root: string, out: (line: string) => void): Promise<void> {
  const file = path.join(root, 'test/fixtures/cn-t2dm-htn.json');
  if (!existsSync(file)) return;
  const ctx = { requestId: 'startup-demo', principal: gateway.auth.participantPrincipal(DEMO_HOSPITAL) };
  const submitted = await gateway.documents.submit({ body: readFileSync(file, 'utf8'), contentType: 'application/fhir+json' }, ctx);
  const patient = submitted.document.patientIdentifiers[0];
  if (!patient) return;
  const { invitation } = await gateway.consent.invite(
    {
      resourceType: 'Parameters',
      parameter: [
        { name: 'patient', valueIdentifier: patient },
        { name: 'document', valueReference: { reference: `Bundle/${submitted.document.id}` } },
      ],
    },
    ctx,
  );
  out(`Development demo: ${DEMO_HOSPITAL} submitted Bundle/${submitted.document.id} (invented patient).`);
  out(`  Open the patient invitation to grant access: ${invitation}`);
}
