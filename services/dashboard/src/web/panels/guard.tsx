import type { BreakerHoldView, HeldView, SessionView } from '../../view.js'
import type { Act } from '../app.js'
import { ago, count } from '../format.js'
import { ApproveReject, DecisionActions, useDecision } from './decision.js'

function HeldEntry(props: { entry: HeldView; canDecide: boolean; act: Act; now: number }) {
  const { entry } = props
  const { busy, error, decide } = useDecision<'approve' | 'reject'>(props.act)
  const send = (verdict: 'approve' | 'reject') =>
    decide(verdict, `/api/held/${encodeURIComponent(entry.id)}/${verdict}`)
  return (
    <li class="item" data-held={entry.id} data-target={entry.target}>
      <div class="item-head">
        <code class="target">{entry.target}</code>
        <span class="muted small">
          {entry.rightsholder} · {entry.week} · held {ago(entry.heldAt, props.now)}
        </span>
      </div>
      {entry.announcedBy && entry.announcedBy.length > 0 ? (
        <p class="muted small" data-testid="announced-by">
          announced by {entry.announcedBy.map((as) => `AS${as.asn} ${as.organisation}`).join(', ')}
        </p>
      ) : null}
      <ul class="reasons">
        {entry.reasons.map((r) => (
          <li key={r.code + r.message}>
            <span class="code">{r.code}</span> {r.message}
          </li>
        ))}
      </ul>
      <DecisionActions canDecide={props.canDecide} whoDecides="Ops review held entries." error={error}>
        <ApproveReject busy={busy} decide={send} approve={`Approve ${entry.target}`} />
      </DecisionActions>
    </li>
  )
}

function space(s: BreakerHoldView['previous']): string {
  const parts = [`${count(s.v4Addresses)} IPv4 addresses`]
  if (s.v6Prefixes48 > 0) parts.push(`${count(s.v6Prefixes48)} IPv6 /48s`)
  return parts.join(' + ')
}

/** A revision held by the circuit breaker: how much it grows enforcement, why, and ops' buttons. */
function BreakerHold(props: { hold: BreakerHoldView; canDecide: boolean; act: Act; now: number }) {
  const { hold } = props
  const { busy, error, decide } = useDecision<'approve' | 'reject'>(props.act)
  const send = (verdict: 'approve' | 'reject') =>
    decide(verdict, `/api/breaker/${encodeURIComponent(hold.id)}/${verdict}`)
  return (
    <li class="item breaker" data-breaker={hold.id}>
      <div class="item-head">
        <strong>Circuit breaker</strong>{' '}
        <span class="factor">{hold.factor === null ? 'from nothing' : `×${hold.factor}`}</span>{' '}
        <span class="muted small">
          {hold.cause}
          {hold.recomputes > 1 ? ` + ${hold.recomputes - 1} later change(s), latest ${hold.latestCause}` : ''}{' '}
          · held {ago(hold.heldAt, props.now)}
        </span>
      </div>
      <p class="small">
        {space(hold.previous)} → <strong>{space(hold.next)}</strong> ({count(hold.added)} prefixes added)
      </p>
      <p class="muted small">{hold.message}</p>
      <DecisionActions
        canDecide={props.canDecide}
        whoDecides="Ops approve or reject held revisions."
        error={error}
      >
        <ApproveReject busy={busy} decide={send} approve="Approve growth" />
      </DecisionActions>
    </li>
  )
}

/** Entries the overblocking guard held for review, approve or reject in place; circuit-breaker holds. */
export function Guard(props: {
  guard: { held: HeldView[]; breaker: BreakerHoldView[] }
  role: SessionView['role']
  act: Act
  now: number
}) {
  const { held, breaker } = props.guard
  return (
    <section class="panel guard" id="guard" aria-labelledby="guard-title">
      <h2 id="guard-title">
        Guard{' '}
        <span class={`badge ${held.length + breaker.length > 0 ? 'badge-warn' : ''}`}>
          {held.length} held{breaker.length > 0 ? ` · ${breaker.length} revision held` : ''}
        </span>
      </h2>
      {breaker.length > 0 && (
        <ul class="list" data-testid="breaker-list">
          {breaker.map((b) => (
            <BreakerHold
              key={b.id}
              hold={b}
              canDecide={props.role === 'ops'}
              act={props.act}
              now={props.now}
            />
          ))}
        </ul>
      )}
      {held.length === 0 ? (
        breaker.length === 0 && <p class="empty">Nothing waits for review.</p>
      ) : (
        <ul class="list" data-testid="held-list">
          {held.map((entry) => (
            <HeldEntry
              key={entry.id}
              entry={entry}
              canDecide={props.role === 'ops'}
              act={props.act}
              now={props.now}
            />
          ))}
        </ul>
      )}
    </section>
  )
}
