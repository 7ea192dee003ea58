import type { OrgKind } from '@offside/core'
import type { Db } from './keys.js'

/** An organisation: the authority, a rightsholder, an ISP or the operations task force. */
export interface Organisation {
  id: string
  kind: OrgKind
  name: string
  createdAt: number
}

/** The organisation the bootstrap admin token belongs to. */
export const AUTHORITY_ORG: Organisation = {
  id: 'authority',
  kind: 'authority',
  name: 'Authority',
  createdAt: 0,
}

/** Creates or replaces an organisation; returns whether it was new. */
export async function putOrg(db: Db, org: Organisation): Promise<boolean> {
  const added = await db.redis.hset(db.keys.orgs, org.id, JSON.stringify(org))
  return added === 1
}

export async function getOrg(db: Db, id: string): Promise<Organisation | null> {
  const raw = await db.redis.hget(db.keys.orgs, id)
  if (raw) return JSON.parse(raw) as Organisation
  return id === AUTHORITY_ORG.id ? AUTHORITY_ORG : null
}

export async function listOrgs(db: Db): Promise<Organisation[]> {
  const all = await db.redis.hvals(db.keys.orgs)
  return all.map((raw) => JSON.parse(raw) as Organisation).sort((a, b) => a.id.localeCompare(b.id))
}
