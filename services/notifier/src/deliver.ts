/**
 * One delivery of one notice to one party: e-mail through SMTP (nodemailer; PEC is SMTP to the
 * certified provider, whose receipts come back to the sender's mailbox), or a signed webhook.
 * Resolves with the receipt, or throws with what the other side said.
 */
import { createHash } from 'node:crypto'
import type { Party } from '@offside/core'
import type { SigningKey } from '@offside/protocol'
import type { Notice } from '@offside/store'
import nodemailer from 'nodemailer'
import { HEADERS, signNotice } from './signature.js'

export type Receipt = NonNullable<Notice['receipt']>

export interface DelivererOptions {
  /** smtp://user:pass@host:port or smtps://… (nodemailer's URL form). */
  smtpUrl: string
  from: string
  signingKey: SigningKey
  timeoutMs: number
}

export class DeliveryError extends Error {
  override name = 'DeliveryError'
}

export function createDeliverer(options: DelivererOptions) {
  const url = new URL(options.smtpUrl)
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port) || (url.protocol === 'smtps:' ? 465 : 25),
    secure: url.protocol === 'smtps:',
    ...(url.username
      ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } }
      : {}),
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  })

  async function email(notice: Notice, address: string): Promise<Receipt> {
    const info = await transport.sendMail({
      from: options.from,
      to: address,
      subject: notice.subject,
      text: notice.text,
      headers: { 'X-Offside-Notice': notice.id },
    })
    if (info.rejected.length > 0) throw new DeliveryError(`rejected: ${info.response}`)
    return { at: Date.now(), channel: 'email', id: info.messageId, response: info.response }
  }

  async function webhook(notice: Notice, url: string): Promise<Receipt> {
    const body = JSON.stringify({
      id: notice.id,
      kind: notice.kind,
      ...(notice.order ? { order: notice.order } : {}),
      ...(notice.week ? { week: notice.week, asn: notice.asn } : {}),
      subject: notice.subject,
      text: notice.text,
      createdAt: new Date(notice.createdAt).toISOString(),
    })
    const timestamp = new Date().toISOString()
    let response: Response
    try {
      response = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [HEADERS.signature]: signNotice(body, timestamp, options.signingKey),
          [HEADERS.timestamp]: timestamp,
          [HEADERS.keyId]: options.signingKey.keyId,
          [HEADERS.notice]: notice.id,
        },
        body,
        redirect: 'error',
        signal: AbortSignal.timeout(options.timeoutMs),
      })
    } catch (err) {
      throw new DeliveryError(`no answer: ${(err as Error).message}`)
    }
    const answer = (await response.text()).slice(0, 64 * 1024)
    if (!response.ok) throw new DeliveryError(`HTTP ${response.status}`)
    const digest = createHash('sha256').update(answer).digest('hex')
    return { at: Date.now(), channel: 'webhook', response: `HTTP ${response.status} sha256:${digest}` }
  }

  return {
    deliver(notice: Notice, party: Party): Promise<Receipt> {
      return party.channel.kind === 'email'
        ? email(notice, party.channel.address)
        : webhook(notice, party.channel.url)
    },
    close: () => transport.close(),
  }
}
