import rateLimit from '@fastify/rate-limit'
import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import ipaddr from 'ipaddr.js'

/**
 * Whom a public request counts against: an IPv4 client by its address, an IPv6 client by its
 * /64. One IPv6 subscriber is routinely given a whole /64 (RFC 6177), so counting single
 * addresses would hand one client 2^64 budgets.
 */
export function rateLimitKey(ip: string): string {
  if (!ipaddr.isValid(ip)) return ip
  const parsed = ipaddr.parse(ip)
  if (parsed.kind() === 'ipv4') return parsed.toString()
  const v6 = parsed as ipaddr.IPv6
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString()
  const parts = v6.parts.slice(0, 4).map((part) => part.toString(16))
  return `${parts.join(':')}::/64`
}

/**
 * Rate limiting for the public endpoints only (`global: false`; those routes set
 * `config.rateLimit`). Counters live in Redis so several API processes share one budget.
 */
export default fp(
  async function rateLimitPlugin(app: FastifyInstance) {
    await app.register(rateLimit, {
      global: false,
      redis: app.db.redis,
      nameSpace: app.db.keys.rateLimit,
      skipOnError: true,
      keyGenerator: (request) => rateLimitKey(request.ip),
    })
  },
  { name: 'rate-limit', dependencies: ['db'] },
)
