import type { FastifyInstance } from 'fastify'
import type { Authenticate } from '../auth.js'
import type { LiveFeed } from '../live-feed.js'
import type { Metrics } from '../metrics.js'
import type { DashboardView } from '../view.js'

/** How often the stream re-checks the viewer's token by default (a revoked token stops the stream). */
export const TOKEN_RECHECK_MS = 30_000
/** Comment lines keep proxies from closing an idle stream. */
const HEARTBEAT_MS = 15_000

/**
 * `GET /api/view` (one view, for scripts and the first paint) and `GET /api/stream`: server-sent
 * events, one `view` event with the whole view model each time it changes, and `time` events with
 * the server clock so countdowns in the browser agree with the server.
 */
export function streamRoutes(
  app: FastifyInstance,
  deps: {
    feed: LiveFeed
    metrics: Metrics
    authenticate: Authenticate
    now: () => number
    recheckMs: number
  },
): void {
  app.get('/api/view', async () => deps.feed.refresh())

  app.get('/api/stream', async (request, reply) => {
    const token = request.viewerToken
    reply.hijack()
    const raw = reply.raw
    raw.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-store',
      connection: 'keep-alive',
      'x-accel-buffering': 'no',
    })
    let unsubscribe = () => {}
    let closed = false
    const timers: NodeJS.Timeout[] = []
    const close = () => {
      if (closed) return
      closed = true
      unsubscribe()
      for (const timer of timers) clearInterval(timer)
      deps.metrics.viewers.dec()
      raw.end()
    }
    // Listeners first: the browser may go away while the first view is being read.
    request.raw.on('close', close)
    raw.on('error', close)
    deps.metrics.viewers.inc()
    const sendTime = () => raw.write(`event: time\ndata: ${deps.now()}\n\n`)
    const send = (view: DashboardView) => {
      deps.metrics.viewsPushed.inc()
      raw.write(`event: view\ndata: ${JSON.stringify(view)}\n\n`)
    }
    timers.push(setInterval(() => raw.write(': keep-alive\n\n'), HEARTBEAT_MS))
    timers.push(setInterval(sendTime, 5_000))
    timers.push(
      setInterval(() => {
        deps
          .authenticate(token)
          .then((viewer) => {
            if (!viewer) close()
          })
          .catch(() => {})
      }, deps.recheckMs),
    )
    sendTime()
    try {
      const view = await deps.feed.refresh()
      if (closed) return
      send(view)
      unsubscribe = deps.feed.subscribe(send)
    } catch (err) {
      request.log.error({ err }, 'cannot build the first dashboard view')
      raw.write(
        `event: failure\ndata: ${JSON.stringify({ message: 'the dashboard cannot read its data' })}\n\n`,
      )
      close()
    }
  })
}
