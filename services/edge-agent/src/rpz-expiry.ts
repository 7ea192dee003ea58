/**
 * `offside-agent rpz-expiry`: the stateless expiry primary for the agent's Response Policy Zone. It
 * serves an empty zone whose serial is the agent's clock minus `expire`; a resolver that lists it
 * as its second primary drops the agent's policy by itself `expire` seconds after the agent last
 * pulsed (docs/agent.md, "When the agent dies"). It holds no state, so restarting it is always safe.
 */
import { parseArgs } from 'node:util'
import { pino } from 'pino'
import { ExpiryZone } from './backends/rpz/expiry-zone.js'
import { parseEndpoint, timersFromSettings } from './backends/rpz/index.js'
import { ZoneServer } from './backends/rpz/zone-server.js'

export const EXPIRY_USAGE = `offside-agent rpz-expiry — the RPZ's expiry primary (stateless)

  --zone NAME        the policy zone, as the agent serves it (default rpz.offside)
  --listen ADDR:PORT where the resolver reaches it (default 127.0.0.1:5354)
  --allow ADDRESS    who may read it; repeat (default 127.0.0.1 and ::1)
  --refresh S --retry S --expire S --minimum S   the agent's SOA timers (defaults 10 5 60 30)
  --help`

/** Runs the expiry primary until SIGTERM/SIGINT; `argv` are the flags after `rpz-expiry`. */
export async function runExpiryPrimary(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      zone: { type: 'string' },
      listen: { type: 'string' },
      allow: { type: 'string', multiple: true },
      refresh: { type: 'string' },
      retry: { type: 'string' },
      expire: { type: 'string' },
      minimum: { type: 'string' },
      help: { type: 'boolean' },
    },
    strict: true,
  })
  if (values.help) {
    process.stdout.write(`${EXPIRY_USAGE}\n`)
    return
  }
  const timerSettings: Record<string, number> = {}
  for (const key of ['refresh', 'retry', 'expire', 'minimum'] as const) {
    if (values[key] !== undefined) timerSettings[key] = Number(values[key])
  }
  const log = pino({ base: { service: 'offside-agent rpz-expiry' } })
  const zone = new ExpiryZone(values.zone ?? 'rpz.offside', timersFromSettings(timerSettings))
  const server = new ZoneServer({
    zone,
    listen: parseEndpoint(values.listen ?? '127.0.0.1:5354', '--listen'),
    notify: [],
    allowTransfer: values.allow ?? ['127.0.0.1', '::1'],
    log,
  })
  await server.start()
  log.info({ zone: zone.origin, port: server.port }, 'expiry primary serving')
  const stop = () => void server.close().then(() => process.exit(0))
  process.once('SIGTERM', stop)
  process.once('SIGINT', stop)
}
