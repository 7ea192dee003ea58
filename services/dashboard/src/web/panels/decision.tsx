import type { ComponentChildren } from 'preact'
import { useState } from 'preact/hooks'
import type { Act } from '../app.js'

/**
 * One decision taken in place (a held entry, a circuit-breaker hold, a complaint): which verdict is
 * being sent, and the error the last one met. A sent decision keeps its buttons disabled, since the
 * next view no longer shows the item; a failed one enables them again.
 */
export function useDecision<V extends string>(act: Act) {
  const [busy, setBusy] = useState<V | null>(null)
  const [error, setError] = useState<string | null>(null)
  const decide = async (verdict: V, path: string, body: object = {}) => {
    setBusy(verdict)
    setError(null)
    try {
      await act(path, body)
    } catch (err) {
      setError((err as Error).message)
      setBusy(null)
    }
  }
  return { busy, error, setError, decide }
}

/** The decision's controls for whoever may decide, `whoDecides` for everyone else, then any error. */
export function DecisionActions(props: {
  canDecide: boolean
  whoDecides: string
  error: string | null
  children: ComponentChildren
}) {
  return (
    <>
      {props.canDecide ? (
        <div class="actions">{props.children}</div>
      ) : (
        <p class="muted small">{props.whoDecides}</p>
      )}
      {props.error && (
        <p class="error" role="alert">
          {props.error}
        </p>
      )}
    </>
  )
}

/** Approve and Reject buttons, saying which one is being sent. */
export function ApproveReject(props: {
  busy: 'approve' | 'reject' | null
  decide: (verdict: 'approve' | 'reject') => void
  approve: string
}) {
  const { busy, decide } = props
  return (
    <>
      <button type="button" class="approve" disabled={busy !== null} onClick={() => decide('approve')}>
        {busy === 'approve' ? 'Approving…' : props.approve}
      </button>
      <button type="button" class="reject" disabled={busy !== null} onClick={() => decide('reject')}>
        {busy === 'reject' ? 'Rejecting…' : 'Reject'}
      </button>
    </>
  )
}
