import {
  createHash,
  createPrivateKey,
  createPublicKey,
  sign as cryptoSign,
  verify as cryptoVerify,
  generateKeyPairSync,
  type KeyObject,
} from 'node:crypto'
import { readFile } from 'node:fs/promises'
import { canonicalJson } from './canonical.js'
import type { Signed, SignedPayload } from './messages.js'

/** A private key ready to sign, with the id agents use to find the matching public key. */
export interface SigningKey {
  keyId: string
  privateKey: KeyObject
}

/** Public keys an agent trusts, by key id (several while a key is being rotated). */
export type TrustedKeys = ReadonlyMap<string, KeyObject>

function rawPublicKey(publicKey: KeyObject): Buffer {
  if (publicKey.asymmetricKeyType !== 'ed25519') throw new TypeError('expected an Ed25519 key')
  const jwk = publicKey.export({ format: 'jwk' })
  if (!jwk.x) throw new TypeError('Ed25519 key has no public part')
  return Buffer.from(jwk.x, 'base64url')
}

/**
 * The key id: the first 16 hex digits of SHA-256 over the raw 32-byte Ed25519 public key. Short
 * enough to log, long enough that two keys of one deployment never collide.
 */
export function keyIdOf(publicKey: KeyObject): string {
  return createHash('sha256').update(rawPublicKey(publicKey)).digest('hex').slice(0, 16)
}

/** Builds a signing key from a PEM-encoded (PKCS#8) Ed25519 private key. */
export function signingKeyFromPem(pem: string | Buffer): SigningKey {
  const privateKey = createPrivateKey(pem)
  if (privateKey.asymmetricKeyType !== 'ed25519') throw new TypeError('signing key must be Ed25519')
  return { keyId: keyIdOf(createPublicKey(privateKey)), privateKey }
}

/** Reads a PEM private key file (OFFSIDE_SIGNING_KEY_FILE). */
export async function loadSigningKey(path: string): Promise<SigningKey> {
  return signingKeyFromPem(await readFile(path))
}

/** Builds the trusted-key map from PEM-encoded (SPKI) public keys. */
export function trustedKeysFromPem(pems: Iterable<string | Buffer>): TrustedKeys {
  const keys = new Map<string, KeyObject>()
  for (const pem of pems) {
    const key = createPublicKey(pem)
    keys.set(keyIdOf(key), key)
  }
  return keys
}

/** Reads the pinned public key files an agent trusts (its `--public-key` flags). */
export async function loadTrustedKeys(paths: Iterable<string>): Promise<TrustedKeys> {
  const pems = await Promise.all([...paths].map((path) => readFile(path)))
  return trustedKeysFromPem(pems)
}

/** A fresh key pair as PEM strings, for tests, the demo and `offside-keygen`-style tooling. */
export function generateSigningKeyPair(): { privateKeyPem: string; publicKeyPem: string; keyId: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ed25519')
  return {
    privateKeyPem: privateKey.export({ format: 'pem', type: 'pkcs8' }).toString(),
    publicKeyPem: publicKey.export({ format: 'pem', type: 'spki' }).toString(),
    keyId: keyIdOf(publicKey),
  }
}

/** Signs a payload: Ed25519 over the UTF-8 bytes of its canonical JSON, base64-encoded. */
export function signPayload<P extends SignedPayload>(payload: P, key: SigningKey): Signed<P> {
  const sig = cryptoSign(null, Buffer.from(canonicalJson(payload), 'utf8'), key.privateKey).toString('base64')
  return { payload, sig, keyId: key.keyId }
}

export type VerifyResult =
  | { ok: true }
  | { ok: false; code: 'unknown-key' | 'bad-signature'; message: string }

/** Checks a signed payload against the trusted keys; never throws on hostile input. */
export function verifySigned(signed: Signed<SignedPayload>, trusted: TrustedKeys): VerifyResult {
  const key = trusted.get(signed.keyId)
  if (!key) return { ok: false, code: 'unknown-key', message: `key ${signed.keyId} is not pinned` }
  let valid = false
  try {
    const sig = Buffer.from(signed.sig, 'base64')
    valid =
      sig.length === 64 && cryptoVerify(null, Buffer.from(canonicalJson(signed.payload), 'utf8'), key, sig)
  } catch {
    valid = false
  }
  return valid ? { ok: true } : { ok: false, code: 'bad-signature', message: 'signature does not verify' }
}
