/**
 * A listening post, not an agent: one websocket client that says hello like an agent and notes
 * when each revision's frame arrives, without verifying, applying or acknowledging anything. It
 * runs in the bench's own process (no simulated agents beside it), so its arrival times are the
 * gateway's delivery — published → delivered — apart from what N agents sharing the cores add.
 */
import { PROTOCOL_VERSION } from '@offside/protocol'
import WebSocket from 'ws'

const REVISION = /"revision":(\d+)/

export function startProbe(gatewayUrl: string, token: string) {
  const arrivals = new Map<number, number>()
  const socket = new WebSocket(gatewayUrl, { headers: { authorization: `Bearer ${token}` } })
  socket.on('open', () =>
    socket.send(
      JSON.stringify({
        v: PROTOCOL_VERSION,
        type: 'hello',
        agentId: 'probe',
        lastRevision: 0,
        capabilities: ['backend:dry-run'],
        agentVersion: 'bench-probe',
      }),
    ),
  )
  socket.on('message', (data: Buffer) => {
    const at = Date.now()
    // The payload's revision comes early in a frame; a 10 MB frame is not parsed for it.
    const match = REVISION.exec(data.subarray(0, 512).toString())
    const revision = Number(match?.[1])
    if (Number.isSafeInteger(revision) && !arrivals.has(revision)) arrivals.set(revision, at)
  })
  socket.on('error', () => undefined) // the storm kills the gateway: the probe simply ends
  return {
    /** When the frame of `revision` arrived, if it did. */
    arrivedAt: (revision: number) => arrivals.get(revision),
    close: () => socket.terminate(),
  }
}
