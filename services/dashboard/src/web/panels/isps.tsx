import { useState } from 'preact/hooks'
import type { AgentView, IspView, Severity } from '../../view.js'
import type { Act } from '../app.js'
import { ago, offset } from '../format.js'

const words: Record<Severity, string> = { ok: 'OK', warn: 'Attention', bad: 'Failing' }
/** `clock`: ISPs with an agent whose clock alarm is raised (it switches windows early or late). */
type Filter = 'all' | Severity | 'clock'
/** With this few ISPs shown (a small deployment, or a search), their agents are shown open. */
const FEW_ISPS = 5

function backendText(a: AgentView): string {
  if (a.backend === null) return 'no backend'
  return a.enforcing ? a.backend : `${a.backend} · not enforcing`
}

const skewedClock = (isp: IspView) => isp.agents.some((a) => a.clockSkewed)

/** The agent's clock offset; a red badge when past its bound. */
function Clock(props: { agent: AgentView }) {
  const a = props.agent
  if (a.clockOffsetMs === undefined) return null
  if (!a.clockSkewed)
    return (
      <span class="muted small" title="agent clock minus the gateway's">
        clock {offset(a.clockOffsetMs)}
      </span>
    )
  return (
    <span
      class="badge badge-bad"
      data-testid="agent-clock-skewed"
      title="past the agent's bound: windows switch that much early or late; fix NTP"
    >
      clock {offset(a.clockOffsetMs)}
    </span>
  )
}

function Agent(props: { isp: string; agent: AgentView; now: number; act: Act }) {
  const a = props.agent
  const [busy, setBusy] = useState(false)
  const [problem, setProblem] = useState<string | null>(null)
  const retire = async () => {
    setBusy(true)
    setProblem(null)
    try {
      await props.act(`/api/agents/${encodeURIComponent(props.isp)}/${encodeURIComponent(a.id)}/retire`)
    } catch (err) {
      setProblem((err as Error).message)
      setBusy(false)
    }
  }
  return (
    <tr data-agent={a.id} data-connected={String(a.connected)} class={`sev-${a.severity}`}>
      <th scope="row">
        <span class={`dot dot-${a.severity}`} aria-hidden="true" />
        {a.id}
        {a.version && <span class="muted small"> v{a.version}</span>}
      </th>
      <td data-testid="agent-link">
        {a.connected ? 'connected' : 'disconnected'}
        {a.lastSeenAt !== null && !a.connected && (
          <span class="muted small"> seen {ago(a.lastSeenAt, props.now)}</span>
        )}
      </td>
      <td data-testid="agent-backend" class={a.enforcing ? '' : 'sev-text-warn'}>
        {backendText(a)}
      </td>
      <td class="num">
        {a.lastAckRevision ?? '—'}
        {a.lag ? <span class="muted small"> −{a.lag}</span> : null}
      </td>
      <td class="num compliance">
        <span title="on time">{a.compliance.onTime}</span> / <span title="late">{a.compliance.late}</span> /{' '}
        <span title="missing">{a.compliance.missing}</span>
      </td>
      <td data-testid="agent-status">
        <span class={`sev sev-text-${a.severity}`}>{words[a.severity]}</span>
        {/* In the status, not a column of its own: 330 ISPs' tables must fit 1366 px without scrolling. */}
        <span data-testid="agent-clock">
          {' '}
          <Clock agent={a} />
        </span>
        {a.problems.length > 0 && <span class="muted small"> {a.problems.join(', ')}</span>}
        {a.refused !== undefined && a.refused > 0 && <span class="muted small"> · {a.refused} refused</span>}
        {a.enforcedNames !== undefined && a.enforcedNames > 0 && (
          <span class="muted small" data-testid="agent-names">
            {' '}
            · {a.enforcedNames} names
          </span>
        )}
        {!a.connected && (
          <button type="button" class="quiet small" disabled={busy} onClick={retire}>
            Retire
          </button>
        )}
        {problem && (
          <span class="error small" role="alert">
            {' '}
            {problem}
          </span>
        )}
      </td>
    </tr>
  )
}

function Isp(props: { isp: IspView; now: number; act: Act; open: boolean }) {
  const { isp } = props
  const parts = (['bad', 'warn', 'ok'] as const)
    .filter((s) => isp.counts[s] > 0)
    .map((s) => `${isp.counts[s]} ${words[s].toLowerCase()}`)
  return (
    <details
      class={`isp sev-${isp.severity}`}
      data-isp={isp.isp}
      data-severity={isp.severity}
      open={props.open}
    >
      <summary>
        <span class={`dot dot-${isp.severity}`} aria-hidden="true" />
        <span class="isp-name">{isp.isp}</span>
        <span class={`sev sev-text-${isp.severity}`} data-testid="isp-status">
          {words[isp.severity]}
        </span>
        <span class="muted small isp-detail">
          {isp.agents.length} agent{isp.agents.length === 1 ? '' : 's'}: {parts.join(', ')}
          {isp.worst.length > 0 && ` — ${isp.worst.join(', ')}`}
        </span>
      </summary>
      <table class="agents">
        <caption class="visually-hidden">Agents of {isp.isp}, worst first</caption>
        <thead>
          <tr>
            <th scope="col">Agent</th>
            <th scope="col">Link</th>
            <th scope="col">Backend</th>
            <th scope="col" class="num">
              Acked
            </th>
            <th scope="col" class="num">
              <abbr title="last activations: on time / late / missing">Activ.</abbr>
            </th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {isp.agents.map((agent) => (
            <Agent key={agent.id} isp={isp.isp} agent={agent} now={props.now} act={props.act} />
          ))}
        </tbody>
      </table>
    </details>
  )
}

/**
 * One line per ISP, worst first, that opens to its agents: counts by status on top, a search and a
 * status filter, so 330 ISPs and 1,000 agents fit a laptop screen without a sideways scroll.
 */
export function Isps(props: { isps: IspView[]; counts: Record<Severity, number>; now: number; act: Act }) {
  const [query, setQuery] = useState('')
  const [filter, setFilter] = useState<Filter>('all')
  const q = query.trim().toLowerCase()
  const skewed = props.isps.filter(skewedClock).length
  const shown = props.isps.filter(
    (isp) =>
      (filter === 'all' || (filter === 'clock' ? skewedClock(isp) : isp.severity === filter)) &&
      (q === '' ||
        isp.isp.toLowerCase().includes(q) ||
        isp.agents.some((a) => a.id.toLowerCase().includes(q))),
  )
  return (
    <section class="panel isps" id="isps" aria-labelledby="isps-title">
      <h2 id="isps-title">
        ISPs <span class="badge">{props.isps.length}</span>
      </h2>
      {props.isps.length === 0 ? (
        <p class="empty">No ISP agent has connected yet.</p>
      ) : (
        <>
          <p class="isp-counts" data-testid="isp-counts">
            {(['bad', 'warn', 'ok'] as const).map((s) => (
              <button
                key={s}
                type="button"
                class={`chip sev-text-${s}${filter === s ? ' chip-on' : ''}`}
                aria-pressed={filter === s}
                onClick={() => setFilter(filter === s ? 'all' : s)}
              >
                {props.counts[s]} {words[s].toLowerCase()}
              </button>
            ))}
            {skewed > 0 && (
              <button
                type="button"
                class={`chip sev-text-bad${filter === 'clock' ? ' chip-on' : ''}`}
                aria-pressed={filter === 'clock'}
                data-testid="isp-clock-filter"
                onClick={() => setFilter(filter === 'clock' ? 'all' : 'clock')}
              >
                {skewed} clock skewed
              </button>
            )}
          </p>
          <p class="isp-tools">
            <input
              type="search"
              aria-label="Search ISPs and agents"
              placeholder="Search ISP or agent"
              value={query}
              onInput={(e) => setQuery((e.target as HTMLInputElement).value)}
            />
            <select
              aria-label="Show ISPs"
              value={filter}
              onChange={(e) => setFilter((e.target as HTMLSelectElement).value as Filter)}
            >
              <option value="all">All</option>
              <option value="bad">Failing</option>
              <option value="warn">Attention</option>
              <option value="ok">OK</option>
              <option value="clock">Clock skewed</option>
            </select>
          </p>
          <div class="isp-list" data-testid="isp-list">
            {shown.map((isp) => (
              <Isp key={isp.isp} isp={isp} now={props.now} act={props.act} open={shown.length <= FEW_ISPS} />
            ))}
            {shown.length === 0 && <p class="empty">No ISP matches.</p>}
          </div>
          <p class="legend muted small">
            Activations: the last 10 window opens and closes, on time / late / missing (5 s budget). Dry-run
            agents program nothing and never count as enforcing.
          </p>
        </>
      )}
    </section>
  )
}
