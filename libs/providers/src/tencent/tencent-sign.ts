import { createHash, createHmac } from 'node:crypto';

/** What one TC3-HMAC-SHA256 signature covers. */
export interface Tc3Input {
  secretId: string;
  secretKey: string;
  /** The service name of the credential scope (`hunyuan`). */
  service: string;
  /** The Host header sent. */
  host: string;
  /** The X-TC-Action header sent. */
  action: string;
  /** Seconds since the epoch; the X-TC-Timestamp header sent. */
  timestamp: number;
  body: string;
}

const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');
const hmac = (key: Buffer | string, s: string) => createHmac('sha256', key).update(s).digest();

/**
 * Tencent Cloud API 3.0 signature v3 (TC3-HMAC-SHA256, https://cloud.tencent.com/document/api/1729/101843):
 * canonical request over POST /, no query, headers content-type, host and x-tc-action, and the
 * body's SHA-256; string to sign with the credential scope `{date}/{service}/tc3_request`;
 * signing key derived by HMAC from "TC3"+SecretKey, the UTC date, the service, "tc3_request".
 */
export function tc3Authorization(i: Tc3Input): string {
  const signedHeaders = 'content-type;host;x-tc-action';
  const canonicalRequest = ['POST', '/', '', `content-type:application/json\nhost:${i.host}\nx-tc-action:${i.action.toLowerCase()}\n`, signedHeaders, sha256hex(i.body)].join('\n');
  const date = new Date(i.timestamp * 1000).toISOString().slice(0, 10);
  const scope = `${date}/${i.service}/tc3_request`;
  const stringToSign = ['TC3-HMAC-SHA256', String(i.timestamp), scope, sha256hex(canonicalRequest)].join('\n');
  const signingKey = hmac(hmac(hmac(`TC3${i.secretKey}`, date), i.service), 'tc3_request');
  const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
  return `TC3-HMAC-SHA256 Credential=${i.secretId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}
