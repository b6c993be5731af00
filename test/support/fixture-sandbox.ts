// A tiny sandbox definition for the kits' own tests: a list of items with vendor-style
// errors and a webhook on create. Not a platform; nothing outside tests mounts it.
import type { SandboxDefinition } from '../../sandboxes/kit/app.js';

export interface FixtureItem {
  id: string;
  name: string;
}
export interface FixtureState {
  items: FixtureItem[];
}

export const fixtureSandbox: SandboxDefinition<FixtureState> = {
  platform: 'crm',
  seed(size, rng) {
    const count = size === 'small' ? 3 : 50;
    return { items: Array.from({ length: count }, (_, i) => ({ id: `it_${rng.chars(8)}`, name: `Item ${i + 1}` })) };
  },
  routes(router, ctx) {
    router.get('/items', (_req, res) => void res.json({ records: ctx.state().items, self: `${ctx.baseUrl()}/items` }));
    router.get('/items/:id', (req, res) => {
      const item = ctx.state().items.find((i) => i.id === req.params.id);
      if (!item) return void res.status(404).json([{ errorCode: 'NOT_FOUND', message: 'The requested resource does not exist' }]);
      res.json(item);
    });
    router.post('/items', (req, res) => {
      const name = (req.body as { name?: unknown } | undefined)?.name;
      if (typeof name !== 'string' || !name) {
        return void res.status(400).json([{ errorCode: 'REQUIRED_FIELD_MISSING', message: 'Required fields are missing: [name]' }]);
      }
      const item = { id: `it_${ctx.state().items.length + 1}`, name };
      ctx.state().items.push(item);
      ctx.webhooks.send('item.created', { item });
      res.status(201).json({ id: item.id, success: true, errors: [] });
    });
    router.put('/items/:id', (req, res) => {
      const name = String((req.body as { name?: unknown } | undefined)?.name ?? '');
      const items = ctx.state().items;
      const existing = items.find((i) => i.id === req.params.id);
      if (existing) existing.name = name;
      else items.push({ id: req.params.id, name });
      res.status(existing ? 200 : 201).json({ id: req.params.id, name });
    });
    router.get('/echo-headers', (req, res) => void res.json({ headers: req.headers }));
  },
  faultBody: (status, message) => [{ errorCode: status === 429 ? 'REQUEST_LIMIT_EXCEEDED' : 'SERVER_ERROR', message }],
};
