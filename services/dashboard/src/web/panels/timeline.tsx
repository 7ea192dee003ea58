import type { TimelineItem } from '../../view.js'
import { ago, clockSeconds } from '../format.js'

/** The latest revisions and why each was published. */
export function Timeline(props: { timeline: TimelineItem[]; now: number }) {
  return (
    <section class="panel timeline" aria-labelledby="timeline-title">
      <h2 id="timeline-title">Timeline</h2>
      {props.timeline.length === 0 ? (
        <p class="empty">No revision has been published yet.</p>
      ) : (
        <ol class="events" data-testid="timeline">
          {props.timeline.map((item) => (
            <li key={item.revision} class={`cause-${item.cause}`} data-revision={item.revision}>
              <span class="rev">#{item.revision}</span>
              <time dateTime={new Date(item.issuedAt).toISOString()} title={ago(item.issuedAt, props.now)}>
                {clockSeconds(item.issuedAt)}
              </time>
              <span class="label">{item.label}</span>
            </li>
          ))}
        </ol>
      )}
    </section>
  )
}
