// NetSuite machine-to-machine login settings: the certificate id, the private key that signs
// the JWT client assertion (inline PEM or a file) and its algorithm. In development they default
// to the ERP sandbox's seeded certificate, whose public half the sandbox registers at seed time.
import { createPrivateKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { ConfigError, read, type Env } from './parse.js';

/** The algorithms NetSuite takes for a client assertion that this layer signs with (RS256 is retired there). */
export const ERP_M2M_ALGORITHMS = ['PS256', 'ES256'] as const;
export type ErpM2mAlgorithm = (typeof ERP_M2M_ALGORITHMS)[number];

/** The ERP sandbox's development certificate: its id, and the private key whose public half the sandbox seeds. */
export const ERP_DEV_CERTIFICATE_ID = 'sandbox-erp-m2m-cert';
/** Development only: registered in the local sandbox and nowhere else; production must configure its own key. */
export const ERP_DEV_PRIVATE_KEY_PEM = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgOe28NDYfw2urqnpW
CQNcpka6NbWx6UTXRfu5laibIQehRANCAATf7M1djZ2PbplqFbV30/zeUUhhsONn
tei8QBWlDsReaYy2x6kV9MadQvwPZLeKLs6j3DCI+ZQLYTpzTh4IX6GH
-----END PRIVATE KEY-----
`;

export interface ErpM2mConfig {
  /** The certificate id NetSuite showed when the public certificate was uploaded (the assertion's kid). */
  certificateId: string;
  /** Kept as a KeyObject, so that the key never turns up in a log line or a JSON dump of the config. */
  privateKey: KeyObject;
  algorithm: ErpM2mAlgorithm;
}

/** The algorithm a key can sign with: an EC P-256 key ES256, an RSA key (3072 bits or more, as NetSuite asks) PS256. */
function algorithmFor(key: KeyObject, variable: string): ErpM2mAlgorithm {
  const details = key.asymmetricKeyDetails ?? {};
  if (key.asymmetricKeyType === 'ec' && details.namedCurve === 'prime256v1') return 'ES256';
  if (key.asymmetricKeyType === 'rsa' || key.asymmetricKeyType === 'rsa-pss') {
    if ((details.modulusLength ?? 0) < 3072)
      throw new ConfigError(variable, 'holds an RSA key shorter than 3072 bits; NetSuite asks for 3072 or 4096');
    return 'PS256';
  }
  throw new ConfigError(variable, 'holds a key that is neither EC P-256 (ES256) nor RSA (PS256)');
}

/** Parses a PEM private key without ever echoing it: the error names the variable only. */
function privateKeyFrom(pem: string, variable: string): KeyObject {
  try {
    return createPrivateKey({ key: pem.replace(/\\n/g, '\n'), format: 'pem' });
  } catch {
    throw new ConfigError(variable, 'is not a PEM private key (PKCS#8 "BEGIN PRIVATE KEY" or "BEGIN EC/RSA PRIVATE KEY")');
  }
}

/**
 * ERP_CERTIFICATE_ID, ERP_PRIVATE_KEY or ERP_PRIVATE_KEY_FILE (one of them), ERP_JWT_ALGORITHM.
 * `required`: production with an ERP base URL; otherwise unset values fall back to the sandbox's.
 */
export function erpM2mConfig(env: Env, required: boolean): ErpM2mConfig {
  const inline = env.ERP_PRIVATE_KEY?.trim() ? env.ERP_PRIVATE_KEY : undefined;
  const file = read(env, 'ERP_PRIVATE_KEY_FILE', z.string().optional());
  if (inline && file) throw new ConfigError('ERP_PRIVATE_KEY_FILE', 'is set together with ERP_PRIVATE_KEY: set one of them');
  let privateKey: KeyObject;
  let keyVariable = 'ERP_PRIVATE_KEY';
  if (inline) {
    privateKey = privateKeyFrom(inline, keyVariable);
  } else if (file) {
    keyVariable = 'ERP_PRIVATE_KEY_FILE';
    let pem: string;
    try {
      pem = readFileSync(file, 'utf8');
    } catch (err) {
      throw new ConfigError(
        keyVariable,
        `names ${JSON.stringify(file)}, which cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
      );
    }
    privateKey = privateKeyFrom(pem, keyVariable);
  } else if (required) {
    throw new ConfigError(
      'ERP_PRIVATE_KEY',
      'is missing: set it (PEM) or ERP_PRIVATE_KEY_FILE to the private key of the certificate uploaded to NetSuite',
    );
  } else {
    privateKey = privateKeyFrom(ERP_DEV_PRIVATE_KEY_PEM, keyVariable);
  }
  const certificateId = read(env, 'ERP_CERTIFICATE_ID', required ? z.string().min(1) : z.string().min(1).default(ERP_DEV_CERTIFICATE_ID));
  const keyAlgorithm = algorithmFor(privateKey, keyVariable);
  const algorithm = read(env, 'ERP_JWT_ALGORITHM', z.enum(ERP_M2M_ALGORITHMS).default(keyAlgorithm));
  if (algorithm !== keyAlgorithm) {
    throw new ConfigError('ERP_JWT_ALGORITHM', `is ${algorithm}, but the configured private key signs ${keyAlgorithm}`);
  }
  return { certificateId, privateKey, algorithm };
}
