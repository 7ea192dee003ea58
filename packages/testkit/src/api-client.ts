/**
 * A small fetch client for the Offside API as tests, benchmarks and the demo call it: a bearer
 * token, JSON in, status and parsed body out, and the problem when the answer is
 * `application/problem+json` (so a test can assert its `code`).
 */

/** An RFC 9457 problem as the Offside services answer it. */
export interface Problem {
  type?: string
  title?: string
  status: number
  /** The stable error code, e.g. `OFFSIDE_INVALID_INPUT`. */
  code: string
  detail?: string
  field?: string
  index?: number
  reason?: string
  errors?: { index?: number; field?: string; reason: string }[]
}

// biome-ignore lint/suspicious/noExplicitAny: callers read whatever JSON shape each route answers
export interface ApiAnswer<T = any> {
  status: number
  headers: Headers
  /** The parsed JSON body, or the text when it is not JSON (undefined when empty). */
  body: T
  /** Set when the answer is application/problem+json. */
  problem?: Problem
}

export type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE'

export interface ApiClient {
  /** The API's base URL (`http://127.0.0.1:PORT`). */
  readonly url: string
  /** Any answer, 2xx or not. */
  // biome-ignore lint/suspicious/noExplicitAny: see ApiAnswer
  request<T = any>(method: Method, path: string, body?: unknown): Promise<ApiAnswer<T>>
  /** The body of a 2xx answer; anything else throws, naming the status and the problem. */
  // biome-ignore lint/suspicious/noExplicitAny: see ApiAnswer
  ok<T = any>(method: Method, path: string, body?: unknown): Promise<T>
  /** The same API with another token (`null`: no Authorization header, a public call). */
  as(token: string | null): ApiClient
}

/** Thrown by {@link ApiClient.ok} on a non-2xx answer. */
export class ApiCallError extends Error {
  override name = 'ApiCallError'
  constructor(
    readonly answer: ApiAnswer<unknown>,
    what: string,
  ) {
    super(`${what} → ${answer.status} ${JSON.stringify(answer.body)}`)
  }
}

async function parse(res: Response): Promise<ApiAnswer> {
  const text = await res.text()
  let body: unknown = text === '' ? undefined : text
  try {
    if (text) body = JSON.parse(text)
  } catch {}
  const problem = res.headers.get('content-type')?.startsWith('application/problem+json')
    ? (body as Problem)
    : undefined
  return { status: res.status, headers: res.headers, body, ...(problem ? { problem } : {}) }
}

/** A client for the API at `url` calling with `token`. */
export function apiClient(url: string, token: string | null): ApiClient {
  const request = async (method: Method, path: string, body?: unknown) => {
    const res = await fetch(`${url}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
      },
      ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
    })
    return parse(res)
  }
  return {
    url,
    request,
    async ok(method, path, body) {
      const answer = await request(method, path, body)
      if (answer.status < 200 || answer.status >= 300) throw new ApiCallError(answer, `${method} ${path}`)
      return answer.body
    },
    as: (other) => apiClient(url, other),
  }
}

/** Creates an organisation and a token for its role through the API (as an authority); returns the token. */
export async function orgWithToken(
  api: ApiClient,
  id: string,
  kind: 'authority' | 'rightsholder' | 'isp' | 'ops',
  name = id,
): Promise<string> {
  await api.ok('POST', '/v1/orgs', { id, kind, name })
  const { token } = await api.ok<{ token: string }>('POST', '/v1/tokens', { org: id, role: kind })
  return token
}
