/** Talks to the dashboard server: session check, actions, and the live view stream. */
import type { DashboardView, SessionView } from '../view.js'

export class Unauthorized extends Error {}

function headers(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}`, 'content-type': 'application/json' }
}

export async function fetchSession(token: string): Promise<SessionView> {
  const response = await fetch('/api/session', { headers: headers(token) })
  if (response.status === 401) throw new Unauthorized('This token is not an ops or authority token.')
  if (!response.ok) throw new Error(`The dashboard answered ${response.status}.`)
  return (await response.json()) as SessionView
}

/** Posts an action; resolves on success, throws with the API's explanation otherwise. */
export async function act(token: string, path: string, body: object = {}): Promise<void> {
  const response = await fetch(path, { method: 'POST', headers: headers(token), body: JSON.stringify(body) })
  if (response.status === 401) throw new Unauthorized('Your token is no longer valid.')
  if (response.ok) return
  let detail = `${response.status} ${response.statusText}`
  try {
    const problem = (await response.json()) as { title?: string; detail?: string; message?: string }
    detail = problem.detail ?? problem.title ?? problem.message ?? detail
  } catch {}
  throw new Error(detail)
}

export interface StreamHandlers {
  onView(view: DashboardView): void
  /** The server clock, to keep countdowns in step with it. */
  onTime(serverNow: number): void
  onState(state: 'live' | 'reconnecting'): void
  onUnauthorized(): void
}

/**
 * Follows `/api/stream` (server-sent events read with fetch, so the token travels in a header,
 * never in a URL) and reconnects after a pause when it drops. Returns a stop function.
 */
export function followStream(token: string, handlers: StreamHandlers): () => void {
  let stopped = false
  let controller: AbortController | undefined

  const dispatch = (block: string) => {
    let event = 'message'
    let data = ''
    for (const line of block.split('\n')) {
      if (line.startsWith('event:')) event = line.slice(6).trim()
      else if (line.startsWith('data:')) data += line.slice(5).trimStart()
    }
    if (event === 'view') handlers.onView(JSON.parse(data) as DashboardView)
    else if (event === 'time') handlers.onTime(Number(data))
  }

  const run = async () => {
    while (!stopped) {
      controller = new AbortController()
      try {
        const response = await fetch('/api/stream', { headers: headers(token), signal: controller.signal })
        if (response.status === 401) {
          handlers.onUnauthorized()
          return
        }
        if (!response.ok || !response.body) throw new Error(`stream answered ${response.status}`)
        handlers.onState('live')
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader()
        let buffer = ''
        for (;;) {
          const { value, done } = await reader.read()
          if (done) break
          buffer += value
          let end = buffer.indexOf('\n\n')
          while (end >= 0) {
            dispatch(buffer.slice(0, end))
            buffer = buffer.slice(end + 2)
            end = buffer.indexOf('\n\n')
          }
        }
      } catch {
        // dropped or refused: fall through to reconnect
      }
      if (stopped) return
      handlers.onState('reconnecting')
      await new Promise((resolve) => setTimeout(resolve, 1000))
    }
  }
  void run()
  return () => {
    stopped = true
    controller?.abort()
  }
}
