// The demo's secrets, each given only to the process that needs it (issue #11): Ed25519 key pairs
// (push, audit checkpoints, webhook notices), a Redis password per service user, token files.
import { generateKeyPairSync, randomBytes } from 'node:crypto'
import { existsSync } from 'node:fs'
import { writeFile } from 'node:fs/promises'
import { join } from 'node:path'
import { aclFileText, DEFAULT_KEY_PREFIX, type RedisUser, withRedisUser } from '@offside/store'

/** An Ed25519 pair under the demo folder, made once and kept across runs (agents pin the push key). */
export async function keyPairFiles(
  stateDir: string,
  name: string,
): Promise<{ privateKey: string; publicKey: string }> {
  const privateKey = join(stateDir, `${name}.pem`)
  const publicKey = join(stateDir, `${name}.pub.pem`)
  if (!existsSync(privateKey)) {
    const pair = generateKeyPairSync('ed25519')
    await writeFile(privateKey, pair.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 })
    await writeFile(publicKey, pair.publicKey.export({ type: 'spki', format: 'pem' }))
  }
  return { privateKey, publicKey }
}

const USERS: RedisUser[] = ['api', 'scheduler', 'gateway', 'dashboard', 'notifier', 'admin']

/**
 * Fresh random passwords for every Redis user, and the ACL file (hashes only, mode 0600) that the
 * demo's redis-server loads: each run signs its services in with new passwords.
 */
export async function redisUsers(stateDir: string): Promise<{
  aclFile: string
  passwords: Record<RedisUser, string>
  urlOf(redisUrl: string, user: RedisUser): string
}> {
  const passwords = Object.fromEntries(
    USERS.map((user) => [user, randomBytes(18).toString('base64url')]),
  ) as Record<RedisUser, string>
  const aclFile = join(stateDir, 'redis-users.acl')
  await writeFile(aclFile, aclFileText(DEFAULT_KEY_PREFIX, passwords), { mode: 0o600 })
  return { aclFile, passwords, urlOf: (redisUrl, user) => withRedisUser(redisUrl, user, passwords[user]) }
}

/** Writes a token to a file only its owner reads (agents take `--token-file`, never `--token`). */
export async function writeTokenFile(file: string, token: string): Promise<string> {
  await writeFile(file, `${token}\n`, { mode: 0o600 })
  return file
}
