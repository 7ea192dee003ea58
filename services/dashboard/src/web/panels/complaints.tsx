import { useState } from 'preact/hooks'
import type { ComplaintView, SessionView } from '../../view.js'
import type { Act } from '../app.js'
import { ago } from '../format.js'
import { DecisionActions, useDecision } from './decision.js'

function Complaint(props: { complaint: ComplaintView; canDecide: boolean; act: Act; now: number }) {
  const { complaint: c } = props
  const [reason, setReason] = useState('')
  const { busy, error, setError, decide } = useDecision<'revoke' | 'reject'>(props.act)
  const send = (outcome: 'revoke' | 'reject') => {
    if (!reason.trim()) setError('Write the reason for the decision first.')
    else
      decide(outcome, `/api/complaints/${encodeURIComponent(c.id)}/decision`, {
        outcome,
        reason: reason.trim(),
      })
  }
  const inputId = `reason-${c.id}`
  return (
    <li class="item" data-complaint={c.id}>
      <div class="item-head">
        <code class="target">{c.target}</code>
        <span class="muted small">filed {ago(c.filedAt, props.now)}</span>
      </div>
      <p class="quote">{c.reason}</p>
      <DecisionActions
        canDecide={props.canDecide}
        whoDecides="The authority decides complaints."
        error={error}
      >
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
        <button type="button" class="approve" disabled={busy !== null} onClick={() => send('revoke')}>
          Uphold: unblock
        </button>
        <button type="button" class="reject" disabled={busy !== null} onClick={() => send('reject')}>
          Reject
        </button>
      </DecisionActions>
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
