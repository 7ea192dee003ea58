import type { Settings } from './settings.js'

/** An error answer from the API, with its problem+json body when there is one. */
export class ApiError extends Error {
  override name = 'ApiError'
  constructor(
    readonly status: number,
    readonly problem: Record<string, unknown> | null,
    text: string,
  ) {
    super(text)
  }
}

export interface RequestOptions {
  method?: string
  body?: unknown
  /** A raw body (CSV, iCalendar) sent with this content type instead of JSON. */
  raw?: { contentType: string; data: string | Buffer }
  query?: Record<string, string | undefined>
}

/** Calls the API with the bearer token; returns parsed JSON (or text), throws ApiError on 4xx/5xx. */
export async function request(
  settings: Settings,
  path: string,
  options: RequestOptions = {},
): Promise<unknown> {
  const url = new URL(settings.apiUrl + path)
  for (const [key, value] of Object.entries(options.query ?? {}))
    if (value !== undefined) url.searchParams.set(key, value)
  const headers: Record<string, string> = {}
  if (settings.token) headers.authorization = `Bearer ${settings.token}`
  let body: string | Buffer | undefined
  if (options.raw) {
    headers['content-type'] = options.raw.contentType
    body = options.raw.data
  } else if (options.body !== undefined) {
    headers['content-type'] = 'application/json'
    body = JSON.stringify(options.body)
  }
  let response: Response
  try {
    response = await fetch(url, {
      method: options.method ?? 'GET',
      headers,
      ...(body !== undefined ? { body } : {}),
    })
  } catch (err) {
    throw new ApiError(
      0,
      null,
      `cannot reach ${settings.apiUrl}: ${(err as Error).cause ?? (err as Error).message}`,
    )
  }
  const text = await response.text()
  const type = response.headers.get('content-type') ?? ''
  const parsed =
    type.includes('json') && !type.includes('ndjson') && text ? (JSON.parse(text) as unknown) : text
  if (!response.ok) {
    const problem = typeof parsed === 'object' && parsed !== null ? (parsed as Record<string, unknown>) : null
    throw new ApiError(
      response.status,
      problem,
      typeof parsed === 'string' ? parsed : String(problem?.detail ?? ''),
    )
  }
  return parsed
}

/** One readable line for an API error: status, title, detail, and the offending field or entry. */
export function describeError(err: ApiError): string {
  if (err.status === 0) return err.message
  const problem = err.problem ?? {}
  const where = [
    problem.field !== undefined ? `field ${problem.field}` : '',
    problem.index !== undefined ? `entry ${problem.index}` : '',
    problem.reason !== undefined ? `reason ${problem.reason}` : '',
  ]
    .filter(Boolean)
    .join(', ')
  const title = problem.title ? ` ${problem.title}` : ''
  const detail = problem.detail ?? err.message
  return `error ${err.status}${title}: ${detail}${where ? ` (${where})` : ''}`
}
