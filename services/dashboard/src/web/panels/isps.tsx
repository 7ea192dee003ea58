import type { AgentView, IspView, Severity } from '../../view.js'
import { ago } from '../format.js'

const words: Record<Severity, string> = { ok: 'OK', warn: 'Attention', bad: 'Failing' }

function Agent(props: { agent: AgentView; now: number }) {
  const a = props.agent
  return (
    <tr data-agent={a.id} data-connected={String(a.connected)} class={`sev-${a.severity}`}>
      <th scope="row">
        <span class={`dot dot-${a.severity}`} aria-hidden="true" />
        {a.id}
      </th>
      <td data-testid="agent-link">
        {a.connected ? 'connected' : 'disconnected'}
        {a.lastSeenAt !== null && !a.connected && (
          <span class="muted small"> seen {ago(a.lastSeenAt, props.now)}</span>
        )}
      </td>
      <td class="num">{a.lastAckRevision ?? '—'}</td>
      <td class="num">{a.lag ?? '—'}</td>
      <td class="num compliance">
        <span title="on time">{a.compliance.onTime}</span> / <span title="late">{a.compliance.late}</span> /{' '}
        <span title="missing">{a.compliance.missing}</span>
      </td>
      <td>
        <span class={`sev sev-text-${a.severity}`}>{words[a.severity]}</span>
        {a.problems.length > 0 && <span class="muted small"> {a.problems.join(', ')}</span>}
      </td>
    </tr>
  )
}

/** Every ISP's agents, worst first: connection, last acknowledged revision, lag, compliance. */
export function Isps(props: { isps: IspView[]; revision: number; now: number }) {
  return (
    <section class="panel isps" aria-labelledby="isps-title">
      <h2 id="isps-title">
        ISPs <span class="badge">{props.isps.length}</span>
      </h2>
      {props.isps.length === 0 ? (
        <p class="empty">No ISP agent has connected yet.</p>
      ) : (
        <table>
          <caption class="visually-hidden">Agents by ISP, worst first</caption>
          <thead>
            <tr>
              <th scope="col">Agent</th>
              <th scope="col">Link</th>
              <th scope="col" class="num">
                Acked
              </th>
              <th scope="col" class="num">
                Lag
              </th>
              <th scope="col" class="num">
                <abbr title="last activations: on time / late / missing">Activations</abbr>
              </th>
              <th scope="col">Status</th>
            </tr>
          </thead>
          {props.isps.map((isp) => (
            <tbody key={isp.isp} data-isp={isp.isp}>
              <tr class="group">
                <th scope="rowgroup" colSpan={6}>
                  {isp.isp}
                </th>
              </tr>
              {isp.agents.map((agent) => (
                <Agent key={agent.id} agent={agent} now={props.now} />
              ))}
            </tbody>
          ))}
        </table>
      )}
      {props.isps.length > 0 && (
        <p class="legend muted small">
          Activations: the last 10 window opens and closes, on time / late / missing (5 s budget).
        </p>
      )}
    </section>
  )
}
