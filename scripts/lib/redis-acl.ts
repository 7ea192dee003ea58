// ./scripts/redis-acl: generates the Redis ACL users of a deployment (packages/store/src/acl.ts)
// with fresh random passwords, into a folder only its owner reads:
//   users.acl    the ACL file redis-server loads (--aclfile / `aclfile`): password hashes only
//   redis.env    OFFSIDE_REDIS_<USER>_PASSWORD=… for each user (compose: --env-file)
//   <user>.password  one file per user (kubectl create secret generic … --from-file)
import { randomBytes } from 'node:crypto'
import { mkdir, writeFile } from 'node:fs/promises'
import { join, resolve } from 'node:path'
import { parseArgs } from 'node:util'
import { aclFileText, DEFAULT_KEY_PREFIX, REDIS_USERS, type RedisUser } from '@offside/store'

const usage = `./scripts/redis-acl --out DIR [--prefix offside:]

Writes users.acl, redis.env and <user>.password (mode 0600) into DIR with new passwords.
Load users.acl in every redis-server; give each service only its own password (docs/operations.md).`

const { values } = parseArgs({
  options: { out: { type: 'string' }, prefix: { type: 'string' }, help: { type: 'boolean' } },
})
if (values.help || !values.out) {
  console.log(usage)
  process.exit(values.help ? 0 : 2)
}
const dir = resolve(values.out)
await mkdir(dir, { recursive: true, mode: 0o700 })
const passwords = Object.fromEntries(
  REDIS_USERS.map((user) => [user, randomBytes(24).toString('base64url')]),
) as Record<RedisUser, string>
const secret = { mode: 0o600 }
await writeFile(join(dir, 'users.acl'), aclFileText(values.prefix ?? DEFAULT_KEY_PREFIX, passwords), secret)
await writeFile(
  join(dir, 'redis.env'),
  REDIS_USERS.map((user) => `OFFSIDE_REDIS_${user.toUpperCase()}_PASSWORD=${passwords[user]}\n`).join(''),
  secret,
)
for (const user of REDIS_USERS) await writeFile(join(dir, `${user}.password`), passwords[user], secret)
console.log(`wrote users.acl, redis.env and ${REDIS_USERS.length} password files to ${dir}`)
