import { useState } from 'preact/hooks'
import type { ComplaintView, SessionView } from '../../view.js'
import type { Act } from '../app.js'
import { ago } from '../format.js'

function Complaint(props: { complaint: ComplaintView; canDecide: boolean; act: Act; now: number }) {
  const { complaint: c, act } = props
  const [reason, setReason] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)
  const decide = async (outcome: 'revoke' | 'reject') => {
    if (!reason.trim()) {
      setError('Write the reason for the decision first.')
      return
    }
    setBusy(true)
    setError(null)
    try {
      await act(`/api/complaints/${encodeURIComponent(c.id)}/decision`, { outcome, reason: reason.trim() })
    } catch (err) {
      setError((err as Error).message)
      setBusy(false)
    }
  }
  const inputId = `reason-${c.id}`
  return (
    <li class="item" data-complaint={c.id}>
      <div class="item-head">
        <code class="target">{c.target}</code>
        <span class="muted small">filed {ago(c.filedAt, props.now)}</span>
      </div>
      <p class="quote">{c.reason}</p>
      {props.canDecide ? (
        <div class="actions">
          <label class="visually-hidden" for={inputId}>
            Reason for the decision on {c.target}
          </label>
          <input
            id={inputId}
            type="text"
            placeholder="Reason for the decision"
            value={reason}
            onInput={(e) => setReason((e.target as HTMLInputElement).value)}
          />
          <button type="button" class="approve" disabled={busy} onClick={() => decide('revoke')}>
            Uphold: unblock
          </button>
          <button type="button" class="reject" disabled={busy} onClick={() => decide('reject')}>
            Reject
          </button>
        </div>
      ) : (
        <p class="muted small">The authority decides complaints.</p>
      )}
      {error && (
        <p class="error" role="alert">
          {error}
        </p>
      )}
    </li>
  )
}

/** Open complaints; the authority decides them in place. */
export function Complaints(props: {
  complaints: ComplaintView[]
  role: SessionView['role']
  act: Act
  now: number
}) {
  return (
    <section class="panel complaints" id="complaints" aria-labelledby="complaints-title">
      <h2 id="complaints-title">
        Complaints{' '}
        <span class={`badge ${props.complaints.length > 0 ? 'badge-warn' : ''}`}>
          {props.complaints.length} open
        </span>
      </h2>
      {props.complaints.length === 0 ? (
        <p class="empty">No open complaint.</p>
      ) : (
        <ul class="list">
          {props.complaints.map((c) => (
            <Complaint
              key={c.id}
              complaint={c}
              canDecide={props.role === 'authority'}
              act={props.act}
              now={props.now}
            />
          ))}
        </ul>
      )}
    </section>
  )
}
