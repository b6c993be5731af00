// npm run mock -- <api> [--port <n>]: serves one experience contract (crm.v1, crm.v2, operations.v1,
// portal.v1) from its examples on 127.0.0.1 and prints where; see docs/partners.md.
import { pino } from 'pino';
import { mockableApis, startMock } from './server.js';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const api = args.find((arg, i) => !arg.startsWith('--') && args[i - 1] !== '--port');
  const portArg = args.indexOf('--port');
  const port = portArg >= 0 ? Number(args[portArg + 1]) : Number(process.env.PORT ?? 4010);
  if (!api) {
    console.error(`usage: npm run mock -- <api> [--port <n>]; <api> is one of ${[...(await mockableApis()).keys()].join(', ')}`);
    process.exit(2);
  }
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`--port must be a port number (0-65535), got ${JSON.stringify(args[portArg + 1] ?? process.env.PORT)}`);
    process.exit(2);
  }
  const logger = pino({ name: 'mock', level: process.env.LOG_LEVEL ?? 'info' });
  const mock = await startMock(api, { port, logger });
  console.log(`Mock of ${mock.file} listening on ${mock.apiUrl} (SDK gatewayUrl: ${mock.url}); Ctrl-C stops it.`);
  const stop = () => void mock.close().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
