import type { FastifyInstance } from 'fastify'
import fp from 'fastify-plugin'
import { createLiveState, type LiveState } from '../live-state.js'

declare module 'fastify' {
  interface FastifyInstance {
    /** What is enforced at `now`, computed with core from the stored inputs (cached between writes). */
    liveState(now: number): Promise<LiveState>
  }
}

export default fp(
  async function liveStatePlugin(app: FastifyInstance, options: { graceMs: number }) {
    app.decorate('liveState', createLiveState(app.db, options.graceMs))
  },
  { name: 'live-state', dependencies: ['db'] },
)
