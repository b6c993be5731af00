// The NetSuite M2M login settings: development defaults to the sandbox's certificate, production
// with an ERP of its own must configure them, and no error ever repeats a private key.
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ERP_DEV_CERTIFICATE_ID, erpM2mConfig } from './erp-m2m.js';
import { platformsConfig } from './platforms.js';
import { runtimeConfig } from './runtime.js';

const ecPem = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const rsaPem = (bits: number) =>
  generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();

describe('ERP M2M configuration', () => {
  it('defaults to the sandbox certificate and an ES256 key outside production', () => {
    const m2m = erpM2mConfig({}, false);
    expect(m2m).toMatchObject({ certificateId: ERP_DEV_CERTIFICATE_ID, algorithm: 'ES256' });
    expect(m2m.privateKey.type).toBe('private');
    // The key object does not serialise its material.
    expect(JSON.stringify(m2m)).not.toMatch(/PRIVATE KEY|"d"/);
  });

  it('requires the key and the certificate id in production with an ERP base URL, and not without one', () => {
    const production = runtimeConfig({ NODE_ENV: 'production' });
    const base = {
      NODE_ENV: 'production',
      ERP_BASE_URL: 'https://1234567.suitetalk.api.netsuite.com',
      ERP_ACCOUNT_ID: '1234567',
      ERP_CLIENT_ID: 'client',
      ERP_WEBHOOK_SECRET: 'whsec',
      CRM_CLIENT_ID: 'x',
      CRM_CLIENT_SECRET: 'x',
      CRM_WEBHOOK_SECRET: 'x',
      SCHEDULING_API_TOKEN: 'x',
      SCHEDULING_WEBHOOK_SECRET: 'x',
      TIME_ACCESS_TOKEN: 'x',
      TIME_ACCOUNT_ID: 'x',
      TIME_WEBHOOK_SECRET: 'x',
    };
    expect(() => platformsConfig(base, production)).toThrow(/^Invalid configuration: ERP_PRIVATE_KEY is missing/);
    expect(() => platformsConfig({ ...base, ERP_PRIVATE_KEY: ecPem() }, production)).toThrow(/ERP_CERTIFICATE_ID is missing/);
    const ok = platformsConfig({ ...base, ERP_PRIVATE_KEY: ecPem(), ERP_CERTIFICATE_ID: 'cert-1' }, production);
    expect(ok.erp.m2m).toMatchObject({ certificateId: 'cert-1', algorithm: 'ES256' });
    const { ERP_BASE_URL: _unset, ...noErp } = base;
    expect(platformsConfig(noErp, production).erp.m2m.certificateId).toBe(ERP_DEV_CERTIFICATE_ID);
  });

  it('reads the key from a file or inline (with \\n escapes), one of the two', () => {
    const pem = ecPem();
    const file = join(mkdtempSync(join(tmpdir(), 'erp-key-')), 'key.pem');
    writeFileSync(file, pem);
    expect(erpM2mConfig({ ERP_PRIVATE_KEY_FILE: file, ERP_CERTIFICATE_ID: 'c' }, true).algorithm).toBe('ES256');
    expect(erpM2mConfig({ ERP_PRIVATE_KEY: pem.replace(/\n/g, '\\n'), ERP_CERTIFICATE_ID: 'c' }, true).algorithm).toBe('ES256');
    expect(() => erpM2mConfig({ ERP_PRIVATE_KEY: pem, ERP_PRIVATE_KEY_FILE: file }, true)).toThrow(/ERP_PRIVATE_KEY_FILE is set together/);
    expect(() => erpM2mConfig({ ERP_PRIVATE_KEY_FILE: `${file}.missing` }, true)).toThrow(
      /ERP_PRIVATE_KEY_FILE names .* cannot be read \(ENOENT\)/,
    );
  });

  it('signs PS256 with an RSA key of 3072 bits or more and refuses a shorter one or a mismatched algorithm', () => {
    expect(erpM2mConfig({ ERP_PRIVATE_KEY: rsaPem(3072), ERP_CERTIFICATE_ID: 'c' }, true).algorithm).toBe('PS256');
    expect(() => erpM2mConfig({ ERP_PRIVATE_KEY: rsaPem(2048), ERP_CERTIFICATE_ID: 'c' }, true)).toThrow(/shorter than 3072 bits/);
    expect(() => erpM2mConfig({ ERP_PRIVATE_KEY: ecPem(), ERP_CERTIFICATE_ID: 'c', ERP_JWT_ALGORITHM: 'PS256' }, true)).toThrow(
      /ERP_JWT_ALGORITHM is PS256, but the configured private key signs ES256/,
    );
    expect(() => erpM2mConfig({ ERP_JWT_ALGORITHM: 'RS256' }, false)).toThrow(/ERP_JWT_ALGORITHM/);
  });

  it('names the variable of an unreadable key without repeating the key', () => {
    // Cut short after its first line of base64: never a key, whatever key was generated (a few
    // characters changed at random sometimes left one that still parsed).
    const [header, firstLine] = ecPem().split('\n');
    const broken = `${header}\n${firstLine}\n-----END PRIVATE KEY-----\n`;
    let message = '';
    try {
      erpM2mConfig({ ERP_PRIVATE_KEY: broken, ERP_CERTIFICATE_ID: 'c' }, true);
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toMatch(/^Invalid configuration: ERP_PRIVATE_KEY is not a PEM private key/);
    expect(message).not.toContain(broken.split('\n')[1]!.slice(0, 16));
  });
});
