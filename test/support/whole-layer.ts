// The configuration a test starts the whole layer with, as `npm start` runs it: development
// defaults, its embedded sandboxes, a temporary VAR_DIR, a free port and quiet logs.
import { loadConfig, type Config } from '../../core/config/index.js';

export function wholeLayerConfig(varDir: string, databaseUrl: string, env: Record<string, string> = {}): Config {
  return loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', VAR_DIR: varDir, PORT: '0', DATABASE_URL: databaseUrl, ...env });
}
