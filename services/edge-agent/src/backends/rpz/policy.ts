import { isIP } from 'node:net'
import type { Answer } from 'dns-packet'

/**
 * What the resolver answers for a blocked name. `nxdomain` is RPZ's `CNAME .`; `landing` gives
 * the landing page's addresses (A/AAAA, so the subscriber's browser reaches the HTTP 451 page);
 * `landing-name` rewrites to a name the ISP's resolver resolves itself (RPZ's `CNAME name`).
 */
export type PolicyAnswer =
  | { kind: 'nxdomain' }
  | { kind: 'landing'; addresses: string[] }
  | { kind: 'landing-name'; name: string }

/** The RPZ records that trigger `answer` for `name` (an A-label or `*.` wildcard) in `origin`. */
export function policyRecords(name: string, origin: string, answer: PolicyAnswer, ttl: number): Answer[] {
  const owner = `${name}.${origin}`
  if (answer.kind === 'nxdomain') return [{ name: owner, type: 'CNAME', ttl, class: 'IN', data: '.' }]
  if (answer.kind === 'landing-name') {
    return [{ name: owner, type: 'CNAME', ttl, class: 'IN', data: answer.name }]
  }
  return answer.addresses.map((address) =>
    isIP(address) === 6
      ? { name: owner, type: 'AAAA', ttl, class: 'IN', data: address }
      : { name: owner, type: 'A', ttl, class: 'IN', data: address },
  )
}

/** A zone-relative owner name back to the blocked name it triggers on. */
export function nameOfOwner(owner: string, origin: string): string | undefined {
  const suffix = `.${origin}`
  return owner.toLowerCase().endsWith(suffix) ? owner.slice(0, -suffix.length).toLowerCase() : undefined
}
