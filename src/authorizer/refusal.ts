/**
 * How a refused request is answered: a JSON body (`{"code", "message"}`, as API Gateway's authorizers
 * answer) or S3's XML error, so an S3 SDK in front of a protected object store sees `AccessDenied`,
 * `SignatureDoesNotMatch`, `ExpiredToken`, … as it would from S3.
 */
import { escapeXml } from '../protocol/xml.js';
import type { Refused } from './decision.js';

export type RefusalFormat = 'json' | 's3';

export interface RefusalResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function refusalResponse(refusal: Refused, format: RefusalFormat = 'json', requestId?: string): RefusalResponse {
  const headers: Record<string, string> = {};
  if (refusal.challenge) headers['www-authenticate'] = refusal.challenge;
  if (format === 's3') {
    headers['content-type'] = 'application/xml';
    const id = requestId ? `<RequestId>${escapeXml(requestId)}</RequestId>` : '';
    return {
      status: refusal.s3?.status ?? refusal.status,
      headers,
      body: `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${escapeXml(refusal.s3?.code ?? refusal.code)}</Code><Message>${escapeXml(refusal.message)}</Message>${id}</Error>`,
    };
  }
  headers['content-type'] = 'application/json; charset=utf-8';
  headers['x-amzn-errortype'] = refusal.code;
  return { status: refusal.status, headers, body: JSON.stringify({ code: refusal.code, message: refusal.message }) };
}
