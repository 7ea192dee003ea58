import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import {
  createLiveState,
  createPendingHold,
  type LiveState,
  type LiveStateNear,
  type Near,
  type PendingHold,
} from '../live-state.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** What agents enforce at `now`: the published snapshot, explained by the stored inputs (cached between changes). */
    liveState(now: number): Promise<LiveState>
    /** The same, only in and around some prefixes and names: cheap right after a change (see `LiveStateNear`). */
    liveStateNear(now: number, near: Near): Promise<LiveStateNear>
    /** The pending circuit-breaker hold, if any, and the address space it keeps out. */
    pendingHold(): Promise<PendingHold | null>
  }
}

export default fp(
  async function liveStatePlugin(app: FastifyInstance, options: { graceMs: number }) {
    const { liveState, liveStateNear } = createLiveState(app.db, options.graceMs)
    app.decorate('liveState', liveState)
    app.decorate('liveStateNear', liveStateNear)
    app.decorate('pendingHold', createPendingHold(app.db))
  },
  { name: 'live-state', dependencies: ['db'] },
)
