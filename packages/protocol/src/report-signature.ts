/**
 * Signed report bundles (PDL 1357 art. 3.6: the prosecutor's export): a JSON file holding the
 * bundle and its detached Ed25519 signature over `offside-report-v1\n<canonical JSON of bundle>`.
 * The context string keeps a report signature from ever verifying as an agent push or a webhook
 * notice signed with the same key (the notices' approach); canonical JSON makes the signature
 * independent of how the file is re-indented.
 */
import { sign, verify } from 'node:crypto'
import { canonicalJson } from './canonical.js'
import type { SigningKey, TrustedKeys } from './signing.js'

export const REPORT_SIGNATURE_CONTEXT = 'offside-report-v1'

/** A bundle with its detached signature, as written to disk. */
export interface SignedReport<B> {
  bundle: B
  signature: { alg: 'Ed25519'; keyId: string; context: typeof REPORT_SIGNATURE_CONTEXT; value: string }
}

function signedBytes(bundle: unknown): Buffer {
  return Buffer.from(`${REPORT_SIGNATURE_CONTEXT}\n${canonicalJson(bundle)}`, 'utf8')
}

export function signReport<B>(bundle: B, key: SigningKey): SignedReport<B> {
  return {
    bundle,
    signature: {
      alg: 'Ed25519',
      keyId: key.keyId,
      context: REPORT_SIGNATURE_CONTEXT,
      value: sign(null, signedBytes(bundle), key.privateKey).toString('base64'),
    },
  }
}

export type ReportVerdict = { ok: true; keyId: string } | { ok: false; reason: string }

/** Checks a signed report's text against trusted public keys; any edit to the bundle fails it. */
export function verifyReport(text: string, trusted: TrustedKeys): ReportVerdict {
  let parsed: Partial<SignedReport<unknown>>
  try {
    parsed = JSON.parse(text) as Partial<SignedReport<unknown>>
  } catch {
    return { ok: false, reason: 'not JSON' }
  }
  const signature = parsed.signature
  if (!signature || typeof signature.value !== 'string' || typeof signature.keyId !== 'string')
    return { ok: false, reason: 'no signature' }
  if (signature.alg !== 'Ed25519' || signature.context !== REPORT_SIGNATURE_CONTEXT)
    return { ok: false, reason: `unknown signature scheme ${signature.alg}/${signature.context}` }
  const key = trusted.get(signature.keyId)
  if (!key) return { ok: false, reason: `signed by key ${signature.keyId}, which is not a trusted key` }
  let good = false
  try {
    good = verify(null, signedBytes(parsed.bundle), key, Buffer.from(signature.value, 'base64'))
  } catch {
    good = false
  }
  return good
    ? { ok: true, keyId: signature.keyId }
    : { ok: false, reason: 'the signature does not match the bundle: it was edited' }
}
