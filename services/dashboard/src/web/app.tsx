import { useCallback, useEffect, useState } from 'preact/hooks'
import type { DashboardView, SessionView } from '../view.js'
import { act, fetchSession, followStream, Unauthorized } from './api.js'
import { clockSeconds, count } from './format.js'
import { ActionBar } from './panels/action-bar.js'
import { Complaints } from './panels/complaints.js'
import { Guard } from './panels/guard.js'
import { Isps } from './panels/isps.js'
import { NowNext } from './panels/now-next.js'
import { Surveillance } from './panels/surveillance.js'
import { Timeline } from './panels/timeline.js'
import { forgetToken, storedToken, storeToken } from './session.js'
import { SignIn } from './sign-in.js'
import { useServerNow } from './use-server-now.js'

/** Performs an action with the viewer's token; panels call it and show the outcome in place. */
export type Act = (path: string, body?: object) => Promise<void>

export function App() {
  const [token, setToken] = useState<string | null>(storedToken())
  const [session, setSession] = useState<SessionView | null>(null)
  const [problem, setProblem] = useState<string | null>(null)

  const signOut = useCallback((why?: string) => {
    forgetToken()
    setToken(null)
    setSession(null)
    setProblem(why ?? null)
  }, [])

  useEffect(() => {
    if (!token) return
    let cancelled = false
    fetchSession(token).then(
      (s) => !cancelled && setSession(s),
      (err: Error) => !cancelled && signOut(err instanceof Unauthorized ? err.message : err.message),
    )
    return () => {
      cancelled = true
    }
  }, [token, signOut])

  if (!token || !session) {
    return (
      <SignIn
        busy={Boolean(token)}
        problem={problem}
        onSubmit={(t) => {
          storeToken(t)
          setProblem(null)
          setToken(t)
        }}
      />
    )
  }
  return <Dashboard token={token} session={session} onSignOut={signOut} />
}

function enforcedSummary(view: DashboardView): string {
  const { enforcedEntries, enforcedAddresses, enforcedNames } = view.totals
  const v6 = enforcedAddresses.v6 === '0' ? '' : ` + ${count(enforcedAddresses.v6)} IPv6`
  const names = enforcedNames > 0 ? ` · ${count(enforcedNames)} names` : ''
  return `${count(enforcedEntries)} prefixes · ${count(enforcedAddresses.v4)} IPv4 addresses${v6}${names}`
}

function Dashboard(props: { token: string; session: SessionView; onSignOut(why?: string): void }) {
  const { token, session, onSignOut } = props
  const [view, setView] = useState<DashboardView | null>(null)
  const [state, setState] = useState<'connecting' | 'live' | 'reconnecting'>('connecting')
  const [offset, setOffset] = useState(0)
  const now = useServerNow(offset)

  useEffect(
    () =>
      followStream(token, {
        onView: setView,
        onTime: (serverNow) => setOffset(serverNow - Date.now()),
        onState: setState,
        onUnauthorized: () => onSignOut('Your token is no longer valid. Sign in again.'),
      }),
    [token, onSignOut],
  )

  const perform: Act = useCallback(
    async (path, body) => {
      try {
        await act(token, path, body)
      } catch (err) {
        if (err instanceof Unauthorized) onSignOut(err.message)
        throw err
      }
    },
    [token, onSignOut],
  )

  return (
    <div class="shell">
      <header class="top">
        <h1>
          Offside <span class="muted">live match dashboard</span>
        </h1>
        <dl class="facts">
          <div>
            <dt>Revision</dt>
            <dd data-testid="revision">{view ? view.revision : '…'}</dd>
          </div>
          <div>
            <dt>Enforced</dt>
            <dd data-testid="enforced-total">{view ? enforcedSummary(view) : '…'}</dd>
          </div>
          <div>
            <dt>Time</dt>
            <dd>{clockSeconds(now)}</dd>
          </div>
        </dl>
        <p class={`link link-${state}`} role="status" data-testid="connection">
          {state === 'live' ? 'Live' : state === 'connecting' ? 'Connecting…' : 'Reconnecting…'}
        </p>
        <p class="who">
          {session.org} ({session.role}){' '}
          <button type="button" class="quiet" onClick={() => onSignOut()}>
            Sign out
          </button>
        </p>
      </header>
      {view && view.unavailable.length > 0 && (
        <p class="banner" role="alert">
          Not available right now: {view.unavailable.join(', ')}. What is shown for them may be out of date.
        </p>
      )}
      {view && <ActionBar view={view} />}
      {view ? (
        <main class="grid">
          <NowNext windows={view.windows} now={now} />
          <Isps isps={view.isps} counts={view.ispCounts} now={now} act={perform} />
          <Guard guard={view.guard} role={session.role} act={perform} now={now} />
          <Complaints complaints={view.complaints} role={session.role} act={perform} now={now} />
          <Surveillance surveillance={view.surveillance} />
          <Timeline timeline={view.timeline} now={now} />
        </main>
      ) : (
        <p class="boot">Waiting for the first view…</p>
      )}
    </div>
  )
}
