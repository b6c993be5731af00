// The ERP sandbox's own admin routes under /_sandbox: what an administrator or a person does in
// NetSuite's screens. Map or revoke a certificate (Setup > Integration > OAuth 2.0 Client
// Credentials (M2M) Setup), and sign in as a person, whose session can use REST web services.
import { createPublicKey, type KeyObject } from 'node:crypto';
import type { Router } from 'express';
import { z } from 'zod';
import type { ErpState } from '../state.js';
import { issueToken } from './auth.js';

const certificateBody = z
  .object({
    /** The integration record's client id the certificate is mapped to. */
    clientId: z.string().min(1).max(128),
    /** The public part: an X.509 certificate or a public key, PEM. */
    publicKey: z.string().min(1).max(16_384),
    /** Default: a new id, as NetSuite generates one on upload. */
    certificateId: z
      .string()
      .regex(/^[A-Za-z0-9_-]{1,128}$/)
      .optional(),
  })
  .strict();

function publicKeyOf(pem: string): KeyObject | undefined {
  try {
    const key = createPublicKey(pem);
    return key.asymmetricKeyType === 'ec' || key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss' ? key : undefined;
  } catch {
    return undefined;
  }
}

export function erpAdminRoutes(router: Router, deps: { state(): ErpState }): void {
  router.get('/m2m/certificates', (_req, res) => {
    const certificates = [...deps.state().certificates.values()].map(({ certificateId, clientId, publicKey, revoked }) => ({
      certificateId,
      clientId,
      keyType: publicKey.asymmetricKeyType,
      revoked,
    }));
    res.json({ certificates });
  });

  router.post('/m2m/certificates', (req, res) => {
    const parsed = certificateBody.safeParse(req.body ?? {});
    if (!parsed.success) {
      res.status(400).json({
        error: 'invalid_request',
        issues: parsed.error.issues.map((i) => ({ path: `/${i.path.join('/')}`, message: i.message })),
      });
      return;
    }
    const publicKey = publicKeyOf(parsed.data.publicKey);
    if (!publicKey) {
      res.status(400).json({ error: 'invalid_request', message: 'publicKey is not a PEM X.509 certificate or EC/RSA public key' });
      return;
    }
    const state = deps.state();
    const certificateId = parsed.data.certificateId ?? `cert_${state.certificates.size + 1}_${Date.now().toString(36)}`;
    state.integrations.add(parsed.data.clientId);
    state.certificates.set(certificateId, { certificateId, clientId: parsed.data.clientId, publicKey, revoked: false });
    res.status(201).json({ certificateId, clientId: parsed.data.clientId });
  });

  // Revoking keeps the mapping listed, as NetSuite does; its assertions are refused from then on.
  router.delete('/m2m/certificates/:certificateId', (req, res) => {
    const certificate = deps.state().certificates.get(req.params.certificateId as string);
    if (!certificate) {
      res.status(404).json({ error: 'not_found', message: 'No such certificate' });
      return;
    }
    certificate.revoked = true;
    res.status(204).end();
  });

  // A person signed in to NetSuite (the demo's finance user entering a payment): a token for REST web services.
  router.post('/ui-session', (_req, res) => {
    res.set('Cache-Control', 'no-store');
    res.status(201).json(issueToken(deps.state(), ['rest_webservices']));
  });
}
