import type { SurveillanceView } from '../../view.js'
import { count } from '../format.js'

/**
 * Entries under surveillance (SPEC rule 3, "monitored, not blocked"): listed last week, no longer
 * this week, per rightsholder and week. Nothing to act on: ops see them to notice a server coming
 * back, and the page is for ops and the authority only, so the entries themselves are shown.
 */
export function Surveillance(props: { surveillance: SurveillanceView[] }) {
  return (
    <section class="panel surveillance" aria-labelledby="surveillance-title">
      <h2 id="surveillance-title">Surveillance</h2>
      <p class="muted small">Listed last week, no longer this week: visible, not enforced.</p>
      {props.surveillance.length === 0 ? (
        <p class="empty">No entry is under surveillance.</p>
      ) : (
        <ul class="list" data-testid="surveillance">
          {props.surveillance.map((s) => (
            <li
              key={`${s.rightsholder}|${s.week}`}
              class="item"
              data-rightsholder={s.rightsholder}
              data-week={s.week}
            >
              <div class="item-head">
                <strong>{s.rightsholder}</strong>
                <span class="muted small">
                  {s.week}: <span data-testid="surveillance-total">{count(s.total)}</span> under surveillance,
                  last listed in {s.lastListed}
                </span>
              </div>
              <details>
                <summary>
                  {s.total > s.entries.length ? `The first ${s.entries.length} entries` : 'The entries'}
                </summary>
                <ul class="targets">
                  {s.entries.map((entry) => (
                    <li key={entry}>
                      <code class="target">{entry}</code>
                    </li>
                  ))}
                </ul>
              </details>
            </li>
          ))}
        </ul>
      )}
    </section>
  )
}
