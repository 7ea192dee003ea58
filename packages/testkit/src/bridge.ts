import { mkdtemp, rm } from 'node:fs/promises'
import { createConnection, createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { untilPrinted } from './child.js'
import type { TestNetns } from './netns.js'

interface Teardown {
  teardown(fn: () => unknown): void
}

const relayScript = `
const net = require('node:net')
const [port, path] = [Number(process.argv[1]), process.argv[2]]
const server = net.createServer((socket) => {
  const peer = net.createConnection(path)
  socket.pipe(peer).pipe(socket)
  socket.on('error', () => peer.destroy())
  peer.on('error', () => socket.destroy())
})
server.listen(port, '127.0.0.1', () => console.log('listening'))
`

/**
 * Makes a TCP service of the test's own loopback (e.g. a gateway on 127.0.0.1:hostPort) reachable
 * from inside `ns` at 127.0.0.1:`port`, through a Unix socket (a file, so it crosses network
 * namespaces) — nothing is added to the machine's own network configuration. Stopped at teardown.
 */
export async function bridgeIntoNetns(
  t: Teardown,
  ns: TestNetns,
  hostPort: number,
  port = hostPort,
): Promise<number> {
  const dir = await mkdtemp(join(tmpdir(), 'offside-bridge-'))
  const path = join(dir, 'relay.sock')
  const open = new Set<{ destroy(): void }>()
  const server = createServer((socket) => {
    const peer = createConnection({ host: '127.0.0.1', port: hostPort })
    open.add(socket)
    open.add(peer)
    socket.once('close', () => open.delete(socket))
    peer.once('close', () => open.delete(peer))
    socket.pipe(peer).pipe(socket)
    socket.on('error', () => peer.destroy())
    peer.on('error', () => socket.destroy())
  })
  await new Promise<void>((resolve) => server.listen(path, resolve))
  t.teardown(async () => {
    for (const socket of open) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
    await rm(dir, { recursive: true, force: true })
  })
  const child = ns.spawn(process.execPath, ['-e', relayScript, String(port), path])
  await untilPrinted(child, 'listening', `bridge into ${ns.name}`)
  return port
}
