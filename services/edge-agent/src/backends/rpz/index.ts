import { isIP } from 'node:net'
import { DEFAULT_TIMERS, RpzBackend, type RpzOptions } from './backend.js'
import type { PolicyAnswer } from './policy.js'
import type { ZoneTimers } from './zone.js'
import type { Endpoint, ZoneServerLog } from './zone-server.js'

export { DEFAULT_TIMERS, RpzBackend, type RpzOptions } from './backend.js'
export { ExpiryZone } from './expiry-zone.js'
export type { PolicyAnswer } from './policy.js'
export { RpzZone, type ZoneTimers } from './zone.js'
export { type Endpoint, ZoneServer } from './zone-server.js'

/** `127.0.0.1:5353`, `[::1]:5353` or `::1@5353` → endpoint; throws on anything else. */
export function parseEndpoint(text: string, setting: string): Endpoint {
  const match = /^\[?([0-9A-Fa-f:.]+?)\]?[:@#](\d{1,5})$/.exec(text.trim())
  const port = Number(match?.[2])
  if (!match || isIP(match[1]!) === 0 || port < 1 || port > 65535) {
    throw new Error(`rpz setting ${setting} must be address:port (e.g. 127.0.0.1:5353), got ${text}`)
  }
  return { host: match[1]!, port }
}

const NAME =
  /^(?=.{1,253}$)([a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)(\.[a-z0-9_](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/

/** The SOA timers from `{refresh, retry, expire, minimum}` (seconds), defaults for the rest. */
export function timersFromSettings(value: unknown): ZoneTimers {
  const timers = { ...DEFAULT_TIMERS }
  if (typeof value !== 'object' || value === null) throw new Error('rpz setting timers must be an object')
  for (const [key, seconds] of Object.entries(value)) {
    if (!(key in timers) || !Number.isInteger(seconds) || (seconds as number) < 1) {
      throw new Error(`rpz setting timers.${key} must be a positive number of seconds`)
    }
    timers[key as keyof ZoneTimers] = seconds as number
  }
  if (timers.expire <= timers.refresh) throw new Error('rpz setting timers.expire must exceed refresh')
  return timers
}

/**
 * Builds the DNS backend from the config file's `"rpz": {…}` object: `zone`, `listen`, `notify`
 * (list), `allowTransfer` (list), `answer` (`"nxdomain"`), `landing` (addresses) or `landingName`,
 * `ttl`, `timers`; throws on a setting it does not understand.
 */
export function rpzBackendFromSettings(settings: Record<string, unknown>, log?: ZoneServerLog): RpzBackend {
  const options: RpzOptions = { log }
  let answer: PolicyAnswer = { kind: 'nxdomain' }
  const strings = (key: string, value: unknown) => {
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      throw new Error(`rpz setting ${key} must be a list of strings`)
    }
    return value as string[]
  }
  for (const [key, value] of Object.entries(settings)) {
    if (key === 'zone' && typeof value === 'string' && NAME.test(value.toLowerCase().replace(/\.$/, '')))
      options.zone = value
    else if (key === 'listen' && typeof value === 'string') options.listen = parseEndpoint(value, key)
    else if (key === 'notify') options.notify = strings(key, value).map((item) => parseEndpoint(item, key))
    else if (key === 'allowTransfer') {
      options.allowTransfer = strings(key, value)
      if (!options.allowTransfer.every((address) => isIP(address) !== 0))
        throw new Error('rpz setting allowTransfer must list IP addresses')
    } else if (key === 'answer' && value === 'nxdomain') answer = { kind: 'nxdomain' }
    else if (key === 'landing') {
      const addresses = strings(key, value)
      if (addresses.length === 0 || !addresses.every((address) => isIP(address) !== 0))
        throw new Error('rpz setting landing must list the landing page addresses')
      answer = { kind: 'landing', addresses }
    } else if (key === 'landingName' && typeof value === 'string' && NAME.test(value.toLowerCase()))
      answer = { kind: 'landing-name', name: value.toLowerCase() }
    else if (key === 'ttl' && Number.isInteger(value) && (value as number) >= 0) options.ttl = value as number
    else if (key === 'timers') options.timers = timersFromSettings(value)
    else throw new Error(`rpz setting ${key} is not valid: ${JSON.stringify(value)}`)
  }
  options.answer = answer
  return new RpzBackend(options)
}
