import { mkdtemp, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import t from 'tap'
import type { DeltaPayload } from '../src/messages.js'
import {
  generateSigningKeyPair,
  loadSigningKey,
  loadTrustedKeys,
  signingKeyFromPem,
  signPayload,
  trustedKeysFromPem,
  verifySigned,
} from '../src/signing.js'

const delta: DeltaPayload = {
  kind: 'delta',
  revision: 12,
  issuedAt: 1_795_000_000_000,
  cause: { kind: 'hot-addition', event: 'm1' },
  ops: [
    {
      op: 'patch',
      id: 'w:m1',
      from: 1_795_000_000_000,
      until: 1_795_000_900_000,
      add: ['203.0.113.7/32'],
      remove: [],
    },
  ],
}

t.test('a payload signed with the private key verifies against its pinned public key', async (t) => {
  const pair = generateSigningKeyPair()
  const signed = signPayload(delta, signingKeyFromPem(pair.privateKeyPem))
  t.equal(signed.keyId, pair.keyId, 'the signature names the key')
  t.same(verifySigned(signed, trustedKeysFromPem([pair.publicKeyPem])), { ok: true }, 'verifies')
})

t.test('a tampered payload does not verify', async (t) => {
  const pair = generateSigningKeyPair()
  const signed = signPayload(delta, signingKeyFromPem(pair.privateKeyPem))
  const tampered = { ...signed, payload: { ...delta, ops: [{ op: 'drop' as const, id: 'w:m1' }] } }
  const result = verifySigned(tampered, trustedKeysFromPem([pair.publicKeyPem]))
  t.equal(result.ok, false, 'rejected')
  t.equal(!result.ok && result.code, 'bad-signature', 'named as a bad signature')
})

t.test('a payload signed by a key that is not pinned is rejected as unknown', async (t) => {
  const pinned = generateSigningKeyPair()
  const other = generateSigningKeyPair()
  const signed = signPayload(delta, signingKeyFromPem(other.privateKeyPem))
  const result = verifySigned(signed, trustedKeysFromPem([pinned.publicKeyPem]))
  t.equal(!result.ok && result.code, 'unknown-key', 'unknown key id')
  const forged = { ...signed, keyId: pinned.keyId }
  t.equal(verifySigned(forged, trustedKeysFromPem([pinned.publicKeyPem])).ok, false, 'borrowed key id fails')
})

t.test('an agent pinning the old and the new key accepts both during a rotation', async (t) => {
  const old = generateSigningKeyPair()
  const next = generateSigningKeyPair()
  const trusted = trustedKeysFromPem([old.publicKeyPem, next.publicKeyPem])
  t.ok(verifySigned(signPayload(delta, signingKeyFromPem(old.privateKeyPem)), trusted).ok, 'old key accepted')
  t.ok(
    verifySigned(signPayload(delta, signingKeyFromPem(next.privateKeyPem)), trusted).ok,
    'new key accepted',
  )
})

t.test('garbage in the signature field is rejected without throwing', async (t) => {
  const pair = generateSigningKeyPair()
  const signed = { ...signPayload(delta, signingKeyFromPem(pair.privateKeyPem)), sig: '!!not base64' }
  t.equal(verifySigned(signed, trustedKeysFromPem([pair.publicKeyPem])).ok, false, 'rejected')
})

t.test('keys load from PEM files', async (t) => {
  const dir = await mkdtemp(join(tmpdir(), 'offside-keys-'))
  t.teardown(() => import('node:fs/promises').then((fs) => fs.rm(dir, { recursive: true, force: true })))
  const pair = generateSigningKeyPair()
  await writeFile(join(dir, 'signing.pem'), pair.privateKeyPem)
  await writeFile(join(dir, 'signing.pub.pem'), pair.publicKeyPem)
  const key = await loadSigningKey(join(dir, 'signing.pem'))
  const trusted = await loadTrustedKeys([join(dir, 'signing.pub.pem')])
  t.ok(verifySigned(signPayload(delta, key), trusted).ok, 'file-loaded keys agree')
  t.rejects(loadSigningKey(join(dir, 'signing.pub.pem')), 'a public key is not a signing key')
})
