import { connect } from 'node:net'

/** Polls a loopback TCP port until it accepts a connection (bounded: gives up after `timeoutMs`). */
export async function waitForTcp(port: number, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs
  while (Date.now() < deadline) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1')
      socket.once('connect', () => {
        socket.destroy()
        resolve(true)
      })
      socket.once('error', () => resolve(false))
    })
    if (open) return
    await new Promise((resolve) => setTimeout(resolve, 200))
  }
  throw new Error(`127.0.0.1:${port} did not accept connections within ${timeoutMs} ms`)
}
