/**
 * The portal's only source: the API's public endpoints, with no token. What the portal shows is
 * therefore exactly what anyone may ask the API for — it cannot reveal a list entry it never has.
 * The visitor's address is forwarded (X-Forwarded-For) so the API's public rate limit counts
 * visitors, not the portal (the API must trust the portal's address: OFFSIDE_TRUST_PROXY).
 */
import type { TransparencyReport, WeekCounts } from '@offside/core'
import type { PortalConfig } from './config.js'

export interface Named {
  id: string
  name: string
}

/** GET /v1/public/transparency, as the API documents it (docs/api.md). */
export interface TransparencyData {
  generatedAt: string
  enforcedNow: number
  orders: {
    id: string
    reference: string
    rightsholder: Named
    competitions: Named[]
    season: string
    status: 'in-force' | 'suspended'
    issuedAt: string
    updatedAt: string
    suspensions: { from: string; until?: string }[]
    enforcedNow: number
  }[]
  /** Core's counts as the API sends them (all numbers), with the rightsholder's name. */
  weeks: (WeekCounts & { rightsholderName: string })[]
  complaints: TransparencyReport['complaints']
  decisions: {
    complaint: string
    decidedAt: string
    outcome: string
    order?: string
    reference?: string
    revokedPrefixes: number
  }[]
  isps: {
    isp: string
    name: string
    expected: number
    onTime: number
    late: number
    missing: number
    onTimeRate: number | null
  }[]
  timelinessDays: number
}

export interface LookupData {
  target: string
  blocked: boolean
  announcedBy?: { asn: number; organisation: string }[]
  matches: { prefix: string; until: string; orders: { id: string; reference: string }[] }[]
}

/** An API answer: the status, and the JSON body (a problem+json body for 4xx/5xx). */
export interface ApiAnswer<T> {
  status: number
  body: T
}

export interface Problem {
  title?: string
  detail?: string
  code?: string
  field?: string
  reason?: string
}

export class ApiUnavailableError extends Error {
  override name = 'ApiUnavailableError'
}

export interface PublicApi {
  transparency(client: string): Promise<TransparencyData>
  lookup(target: string, client: string): Promise<ApiAnswer<LookupData | Problem>>
  fileComplaint(
    complaint: { target: string; contact: string; reason: string },
    client: string,
  ): Promise<ApiAnswer<{ id: string; status: string; filedAt: string } | Problem>>
  ready(): Promise<void>
}

/** The report changes slowly (the API rebuilds it at most every 10 s); the portal reuses it as long. */
const REPORT_MAX_AGE_MS = 10_000

export function createPublicApi(config: Pick<PortalConfig, 'apiUrl' | 'apiTimeoutMs'>): PublicApi {
  let report: { at: number; data: TransparencyData } | null = null
  async function call<T>(path: string, client: string, init: RequestInit = {}): Promise<ApiAnswer<T>> {
    let response: Response
    try {
      response = await fetch(`${config.apiUrl}${path}`, {
        ...init,
        headers: { accept: 'application/json', 'x-forwarded-for': client, ...(init.headers ?? {}) },
        signal: AbortSignal.timeout(config.apiTimeoutMs),
      })
    } catch (err) {
      throw new ApiUnavailableError(`the API did not answer: ${(err as Error).message}`)
    }
    const text = await response.text()
    let body: unknown
    try {
      body = JSON.parse(text)
    } catch {
      throw new ApiUnavailableError(`the API answered ${response.status} without JSON`)
    }
    if (response.status >= 500) throw new ApiUnavailableError(`the API answered ${response.status}`)
    return { status: response.status, body: body as T }
  }

  return {
    async transparency(client) {
      if (report && Date.now() - report.at < REPORT_MAX_AGE_MS) return report.data
      const answer = await call<TransparencyData>('/v1/public/transparency', client)
      if (answer.status !== 200) throw new ApiUnavailableError(`the report answered ${answer.status}`)
      report = { at: Date.now(), data: answer.body }
      return answer.body
    },
    lookup: (target, client) => call(`/v1/public/lookup?target=${encodeURIComponent(target)}`, client),
    fileComplaint: (complaint, client) =>
      call('/v1/complaints', client, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(complaint),
      }),
    async ready() {
      const response = await fetch(`${config.apiUrl}/readyz`, {
        signal: AbortSignal.timeout(config.apiTimeoutMs),
      })
      if (!response.ok) throw new ApiUnavailableError(`the API is not ready (${response.status})`)
    },
  }
}
