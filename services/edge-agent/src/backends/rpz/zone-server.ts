import { createSocket, type RemoteInfo, type Socket } from 'node:dgram'
import { createServer, isIP, type Server, type Socket as TcpSocket } from 'node:net'
import dnsPacket, { type Answer, type DecodedPacket, type Packet, type Question } from 'dns-packet'
import type { BackendLog } from '../types.js'
import { serialNewer } from './zone.js'

export type ZoneServerLog = BackendLog

export interface Endpoint {
  host: string
  port: number
}

/** What the server needs of a zone: the agent's RpzZone, or the expiry primary's empty zone. */
export interface ServedZone {
  readonly origin: string
  readonly serial: number
  soa(): Answer
  ns(): Answer
  has(name: string): boolean
  records(name: string): Answer[]
  axfr(): Iterable<Answer>
  ixfr(fromSerial: number): Answer[] | undefined
}

export interface ZoneServerOptions {
  zone: ServedZone
  /** Where resolvers fetch the zone (UDP for SOA checks, TCP for transfers). Keep it on loopback. */
  listen: Endpoint
  /** Resolvers told of each new serial (DNS NOTIFY, RFC 1996). */
  notify: Endpoint[]
  /** Addresses allowed to query or transfer the zone; the names in it are confidential. */
  allowTransfer: string[]
  /** NOTIFY is resent this often until the resolver answers, at most `notifyTries` times. */
  notifyRetryMs?: number
  notifyTries?: number
  log?: ZoneServerLog
}

const OPCODE_NOTIFY = 4
const RCODE = { NOERROR: 0, FORMERR: 1, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 } as const
/** Transfer messages stay well under TCP DNS's 64 KiB so an estimate is enough. */
const MESSAGE_BUDGET = 32_000

const unmapped = (address: string) => (address.startsWith('::ffff:') ? address.slice(7) : address)

/**
 * A small authoritative server for the agent's RPZ: answers SOA checks over UDP and TCP, AXFR and
 * IXFR over TCP, and sends NOTIFY to the resolvers on every new serial. It serves nothing else and
 * refuses anyone not in `allowTransfer`. DNS wire format is dns-packet's.
 */
export class ZoneServer {
  readonly #options: Required<Omit<ZoneServerOptions, 'log'>> & { log?: ZoneServerLog }
  #udp: Socket | undefined
  #tcp: Server | undefined
  readonly #notifySockets = new Map<4 | 6, Socket>()
  /** Per resolver, the NOTIFY in flight: its id and retry timer. */
  readonly #pending = new Map<string, { id: number; timer: NodeJS.Timeout }>()
  readonly #connections = new Set<TcpSocket>()
  #nextId = Math.floor(Math.random() * 0xffff)
  #port = 0

  constructor(options: ZoneServerOptions) {
    this.#options = { notifyRetryMs: 1000, notifyTries: 5, ...options }
  }

  get port(): number {
    return this.#port
  }

  async start(): Promise<void> {
    const { host, port } = this.#options.listen
    const tcp = createServer((socket) => this.#serveTcp(socket))
    await new Promise<void>((resolve, reject) => {
      tcp.once('error', reject)
      tcp.listen(port, host, () => resolve())
    })
    this.#tcp = tcp
    const address = tcp.address()
    this.#port = typeof address === 'object' && address ? address.port : port
    const udp = createSocket({ type: isIP(host) === 6 ? 'udp6' : 'udp4' })
    udp.on('message', (message, remote) => this.#serveUdp(udp, message, remote))
    udp.on('error', (err) => this.#options.log?.warn({ err }, 'rpz: zone server UDP error'))
    await new Promise<void>((resolve, reject) => {
      udp.once('error', reject)
      udp.bind(this.#port, host, () => resolve())
    })
    this.#udp = udp
  }

  /** Tells every resolver that the zone has a new serial; resent until each one answers. */
  notifyAll(): void {
    for (const target of this.#options.notify) this.#notify(target, 1)
  }

  async close(): Promise<void> {
    for (const { timer } of this.#pending.values()) clearTimeout(timer)
    this.#pending.clear()
    for (const socket of this.#connections) socket.destroy()
    for (const socket of this.#notifySockets.values()) socket.close()
    this.#notifySockets.clear()
    this.#udp?.close()
    await new Promise<void>((resolve) => (this.#tcp ? this.#tcp.close(() => resolve()) : resolve()))
  }

  #notify(target: Endpoint, attempt: number): void {
    const key = `${target.host}#${target.port}`
    const previous = this.#pending.get(key)
    if (previous) clearTimeout(previous.timer)
    const id = previous && attempt > 1 ? previous.id : this.#takeId()
    const { zone, notifyRetryMs, notifyTries } = this.#options
    const message = dnsPacket.encode({
      type: 'query',
      id,
      flags: (OPCODE_NOTIFY << 11) | dnsPacket.AUTHORITATIVE_ANSWER,
      questions: [{ name: zone.origin, type: 'SOA', class: 'IN' }],
      answers: [zone.soa()],
    })
    const family = isIP(target.host) === 6 ? 6 : 4
    this.#notifySocket(family).send(message, target.port, target.host, (err) => {
      if (err) this.#options.log?.warn({ err, resolver: key }, 'rpz: NOTIFY not sent')
    })
    const timer = setTimeout(() => {
      if (attempt < notifyTries) this.#notify(target, attempt + 1)
      else {
        this.#pending.delete(key)
        this.#options.log?.warn({ resolver: key, serial: zone.serial }, 'rpz: resolver did not answer NOTIFY')
      }
    }, notifyRetryMs)
    timer.unref()
    this.#pending.set(key, { id, timer })
  }

  #takeId(): number {
    this.#nextId = (this.#nextId + 1) & 0xffff
    return this.#nextId
  }

  #notifySocket(family: 4 | 6): Socket {
    let socket = this.#notifySockets.get(family)
    if (!socket) {
      socket = createSocket({ type: family === 6 ? 'udp6' : 'udp4' })
      socket.on('message', (message, remote) => this.#notifyAnswered(message, remote))
      socket.on('error', (err) => this.#options.log?.warn({ err }, 'rpz: NOTIFY socket error'))
      // From the address the resolver knows as its primary: Unbound matches a NOTIFY's source
      // address to a primary and probes that one first.
      const { host } = this.#options.listen
      if ((isIP(host) === 6 ? 6 : 4) === family) socket.bind(0, host)
      socket.unref()
      this.#notifySockets.set(family, socket)
    }
    return socket
  }

  #notifyAnswered(message: Buffer, remote: RemoteInfo): void {
    const packet = decode(message)
    if (packet?.type !== 'response') return
    const key = `${unmapped(remote.address)}#${remote.port}`
    const pending = this.#pending.get(key)
    if (pending && pending.id === packet.id) {
      clearTimeout(pending.timer)
      this.#pending.delete(key)
    }
  }

  #allowed(address: string | undefined): boolean {
    return address !== undefined && this.#options.allowTransfer.includes(unmapped(address))
  }

  #serveUdp(udp: Socket, message: Buffer, remote: RemoteInfo): void {
    const query = decode(message)
    if (query?.type !== 'query') return
    const question = query.questions?.[0]
    let reply: Packet
    if (!this.#allowed(remote.address) || !question) reply = this.#error(query, RCODE.REFUSED)
    else if (question.type === 'AXFR')
      reply = this.#error(query, RCODE.REFUSED) // TCP only
    // IXFR over UDP gets the current SOA alone: the resolver then asks again over TCP (RFC 1995 §2).
    else if (question.type === 'IXFR') reply = this.#answer(query, [this.#options.zone.soa()])
    else reply = this.#lookup(query, question)
    udp.send(dnsPacket.encode(reply), remote.port, remote.address)
  }

  #serveTcp(socket: TcpSocket): void {
    this.#connections.add(socket)
    socket.once('close', () => this.#connections.delete(socket))
    socket.on('error', () => socket.destroy())
    socket.setTimeout(30_000, () => socket.destroy())
    if (!this.#allowed(socket.remoteAddress)) {
      socket.destroy()
      return
    }
    let buffered = Buffer.alloc(0)
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk])
      while (buffered.length >= 2) {
        const length = buffered.readUInt16BE(0)
        if (buffered.length < 2 + length) break
        const query = decode(buffered.subarray(2, 2 + length))
        buffered = buffered.subarray(2 + length)
        if (!query) {
          socket.destroy()
          return
        }
        this.#respondTcp(socket, query)
      }
    })
  }

  #respondTcp(socket: TcpSocket, query: DecodedPacket): void {
    const question = query.questions?.[0]
    const { zone } = this.#options
    if (!question || query.type !== 'query') {
      socket.write(dnsPacket.streamEncode(this.#error(query, RCODE.FORMERR)))
      return
    }
    if (question.type !== 'AXFR' && question.type !== 'IXFR') {
      socket.write(dnsPacket.streamEncode(this.#lookup(query, question)))
      return
    }
    if (question.name.toLowerCase() !== zone.origin) {
      socket.write(dnsPacket.streamEncode(this.#error(query, RCODE.REFUSED)))
      return
    }
    let records: Iterable<Answer> | undefined
    if (question.type === 'IXFR') {
      const clientSoa = query.authorities?.find((record) => record.type === 'SOA')
      const clientSerial = (clientSoa?.data as { serial?: number } | undefined)?.serial
      if (clientSerial !== undefined && !serialNewer(zone.serial, clientSerial)) {
        records = [zone.soa()] // up to date (or, oddly, ahead): nothing to send
      } else if (clientSerial !== undefined) records = zone.ixfr(clientSerial)
    }
    this.#stream(socket, query, records ?? zone.axfr())
  }

  /** Sends a transfer as as many messages as its records need; the question only in the first. */
  #stream(socket: TcpSocket, query: DecodedPacket, records: Iterable<Answer>): void {
    let batch: Answer[] = []
    let size = 0
    let first = true
    const flush = () => {
      const packet = this.#answer(query, batch)
      if (!first) packet.questions = []
      first = false
      socket.write(dnsPacket.streamEncode(packet))
      batch = []
      size = 0
    }
    for (const record of records) {
      const bytes = recordSize(record)
      if (size + bytes > MESSAGE_BUDGET && batch.length > 0) flush()
      batch.push(record)
      size += bytes
    }
    if (batch.length > 0 || first) flush()
  }

  /** An ordinary query: the SOA and NS of the zone, or one policy name's records. */
  #lookup(query: DecodedPacket, question: Question): Packet {
    const { zone } = this.#options
    const name = question.name.toLowerCase()
    if (name === zone.origin) {
      if (question.type === 'SOA') return this.#answer(query, [zone.soa()])
      if (question.type === 'NS') return this.#answer(query, [zone.ns()])
      return { ...this.#answer(query, []), authorities: [zone.soa()] }
    }
    if (!name.endsWith(`.${zone.origin}`)) return this.#error(query, RCODE.REFUSED)
    const blocked = name.slice(0, -(zone.origin.length + 1))
    if (!zone.has(blocked)) {
      return { ...this.#error(query, RCODE.NXDOMAIN), authorities: [zone.soa()] }
    }
    const records = zone.records(blocked).filter((r) => r.type === question.type || r.type === 'CNAME')
    return { ...this.#answer(query, records), authorities: records.length ? [] : [zone.soa()] }
  }

  #answer(query: DecodedPacket, answers: Answer[]): Packet {
    return {
      type: 'response',
      id: query.id,
      flags: dnsPacket.AUTHORITATIVE_ANSWER,
      questions: query.questions ?? [],
      answers,
    }
  }

  #error(query: DecodedPacket, rcode: number): Packet {
    return { type: 'response', id: query.id, flags: rcode, questions: query.questions ?? [] }
  }
}

function decode(message: Buffer): DecodedPacket | undefined {
  try {
    return dnsPacket.decode(message)
  } catch {
    return undefined
  }
}

/** An upper estimate of a record's wire size (names are sent uncompressed). */
function recordSize(record: Answer): number {
  const nameBytes = (name: string) => Buffer.byteLength(name) + 2
  let data = 64
  if (record.type === 'A') data = 4
  else if (record.type === 'AAAA') data = 16
  else if (record.type === 'CNAME' || record.type === 'NS') data = nameBytes(record.data as string)
  else if (record.type === 'SOA') {
    const soa = record.data as { mname: string; rname: string }
    data = nameBytes(soa.mname) + nameBytes(soa.rname) + 20
  }
  return nameBytes(record.name) + 10 + data
}
