/**
 * Webhook signatures (SPEC rule 15): Ed25519 over `offside-notice-v1\n<timestamp>\n<body>`. The
 * context string keeps a notice signature from ever being valid as an agent push signed with
 * the same key, and the timestamp lets a receiver refuse replays. Receivers verify with the
 * published public key (OFFSIDE_SIGNING_PUBLIC_KEY; the notifier also serves it at /public-key).
 */
import { createPublicKey, type KeyObject, sign, verify } from 'node:crypto'
import { keyIdOf, type SigningKey } from '@offside/protocol'

export const SIGNATURE_CONTEXT = 'offside-notice-v1'

/** The headers a webhook delivery carries. */
export const HEADERS = {
  signature: 'offside-signature',
  timestamp: 'offside-timestamp',
  keyId: 'offside-key-id',
  notice: 'offside-notice-id',
} as const

function signedBytes(timestamp: string, body: string): Buffer {
  return Buffer.from(`${SIGNATURE_CONTEXT}\n${timestamp}\n${body}`, 'utf8')
}

/** The base64 signature of a body sent at `timestamp` (ISO 8601). */
export function signNotice(body: string, timestamp: string, key: SigningKey): string {
  return sign(null, signedBytes(timestamp, body), key.privateKey).toString('base64')
}

/** Whether `signature` is the key's signature of the body sent at `timestamp`. */
export function verifyNotice(
  body: string,
  timestamp: string,
  signature: string,
  publicKey: KeyObject | string,
): boolean {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey
  try {
    return verify(null, signedBytes(timestamp, body), key, Buffer.from(signature, 'base64'))
  } catch {
    return false
  }
}

export function publicKeyOf(key: SigningKey): { keyId: string; pem: string } {
  const publicKey = createPublicKey(key.privateKey)
  return { keyId: keyIdOf(publicKey), pem: publicKey.export({ type: 'spki', format: 'pem' }).toString() }
}
