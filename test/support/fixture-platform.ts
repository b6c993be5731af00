// A tiny vendor for the client kit's tests: an OAuth token endpoint, a protected list,
// a route that fails on demand, and an echo of request headers.
import express from 'express';
import type { SandboxDefinition } from '../../sandboxes/kit/index.js';

export interface FixturePlatformState {
  tokens: Set<string>;
  tokenFetches: number;
  /** The next N calls to /flaky answer `flakyStatus`. */
  flakyLeft: number;
  flakyStatus: number;
  hits: Record<string, number>;
  /** Lifetime the token endpoint announces, in seconds (undefined: none, like Salesforce). */
  expiresIn?: number;
  lastTokenRequest?: { form: Record<string, string>; authorization?: string };
}

export const CLIENT_ID = 'fixture-client';
export const CLIENT_SECRET = 'fixture-s3cret-never-logged';

export const fixturePlatform: SandboxDefinition<FixturePlatformState> = {
  platform: 'erp',
  seed: () => ({ tokens: new Set(), tokenFetches: 0, flakyLeft: 0, flakyStatus: 500, hits: {}, expiresIn: 3600 }),
  routes(router, ctx) {
    const hit = (name: string) => (ctx.state().hits[name] = (ctx.state().hits[name] ?? 0) + 1);
    router.post('/oauth/token', express.urlencoded({ extended: false }), (req, res) => {
      const state = ctx.state();
      const form = req.body as Record<string, string>;
      state.lastTokenRequest = { form, authorization: req.get('authorization') };
      let [id, secret] = [form.client_id, form.client_secret];
      const basic = /^Basic (.+)$/.exec(req.get('authorization') ?? '');
      if (basic) [id, secret] = Buffer.from(basic[1], 'base64').toString('utf8').split(':').map(decodeURIComponent);
      if (form.grant_type !== 'client_credentials' || id !== CLIENT_ID || secret !== CLIENT_SECRET) {
        return void res.status(400).json({ error: 'invalid_client', error_description: `client ${id} secret ${secret} rejected` });
      }
      state.tokenFetches += 1;
      const token = `tok_${state.tokenFetches}_${Math.random().toString(36).slice(2)}`;
      state.tokens.add(token);
      res.json({
        access_token: token,
        token_type: 'Bearer',
        instance_url: ctx.baseUrl(),
        ...(state.expiresIn ? { expires_in: state.expiresIn } : {}),
      });
    });
    router.use('/api', (req, res, next) => {
      const token = /^Bearer (.+)$/.exec(req.get('authorization') ?? '')?.[1];
      if (!token || !ctx.state().tokens.has(token)) {
        return void res.status(401).json({ 'o:errorDetails': [{ detail: 'Invalid login attempt.', 'o:errorCode': 'INVALID_LOGIN' }] });
      }
      next();
    });
    router.get('/api/records', (req, res) => {
      hit('list');
      res.json({ items: [{ id: '1' }, { id: '2' }], query: req.query });
    });
    router.get('/api/records/:id', (req, res) => {
      hit('get');
      res.status(404).json({ 'o:errorDetails': [{ detail: `Record ${req.params.id} was not found.`, 'o:errorCode': 'NONEXISTENT_ID' }] });
    });
    router.post('/api/records', (req, res) => {
      hit('create');
      if (ctx.state().flakyLeft > 0) {
        ctx.state().flakyLeft -= 1;
        return void res
          .status(ctx.state().flakyStatus)
          .json({ 'o:errorDetails': [{ detail: 'Unexpected error.', 'o:errorCode': 'UNEXPECTED_ERROR' }] });
      }
      res.status(201).json({ id: '3', ...(req.body as object) });
    });
    router.all('/api/flaky', (_req, res) => {
      hit('flaky');
      if (ctx.state().flakyLeft > 0) {
        ctx.state().flakyLeft -= 1;
        return void res
          .status(ctx.state().flakyStatus)
          .json({ 'o:errorDetails': [{ detail: 'Unexpected error.', 'o:errorCode': 'UNEXPECTED_ERROR' }] });
      }
      res.json({ ok: true });
    });
    router.get('/api/echo', (req, res) => void res.json({ traceparent: req.get('traceparent') ?? null }));
    router.get('/api/html', (_req, res) => void res.type('text/html').send('<html>login</html>'));
    router.post('/api/revoke', (_req, res) => {
      ctx.state().tokens.clear();
      res.status(204).end();
    });
  },
  faultBody: (status, message) => ({
    'o:errorDetails': [{ detail: message, 'o:errorCode': status === 429 ? 'REQUEST_LIMIT_EXCEEDED' : 'UNEXPECTED_ERROR' }],
  }),
};
