import type { AddressCounts, WindowView } from '../../view.js'
import { clock, count, countdown } from '../format.js'

/** IPv4 addresses first (the figure the task force reads); IPv6 below it only when there is some. */
export function Addresses(props: { counts: AddressCounts }) {
  const { v4, v6 } = props.counts
  return (
    <>
      <span class="block">{count(v4)}</span>
      {v6 !== '0' && <span class="block muted small">+ {count(v6)} IPv6</span>}
    </>
  )
}

function Row(props: { window: WindowView; now: number; live: boolean }) {
  const { window: w, now, live } = props
  return (
    <tr data-event={w.event} class={live ? 'live' : ''}>
      <th scope="row">
        <span class="block title">{w.title}</span>
        <span class="block muted small">
          {w.competition} · {w.week}
        </span>
      </th>
      <td class="num">
        <span class="block countdown" data-testid="countdown">
          {live ? countdown(w.closesAt - now) : countdown(w.opensAt - now)}
        </span>
        <span class="block muted small">
          {live ? `ends ${clock(w.closesAt)}` : `opens ${clock(w.opensAt)}–${clock(w.closesAt)}`}
        </span>
      </td>
      <td class="num" data-testid="enforced-entries">
        {count(w.enforcedEntries)}
        {!live && (
          <span class="block muted small" data-testid="staged-entries">
            {count(w.stagedEntries)} staged
          </span>
        )}
        {(live ? w.enforcedNames : w.stagedNames) > 0 && (
          <span class="block muted small" data-testid="window-names">
            {count(live ? w.enforcedNames : w.stagedNames)} names{live ? '' : ' staged'}
          </span>
        )}
      </td>
      <td class="num" data-testid="enforced-addresses">
        <Addresses counts={w.enforcedAddresses} />
      </td>
    </tr>
  )
}

function Table(props: { caption: string; windows: WindowView[]; now: number; live: boolean; empty: string }) {
  if (props.windows.length === 0) return <p class="empty">{props.empty}</p>
  return (
    <table>
      <caption class="visually-hidden">{props.caption}</caption>
      <thead>
        <tr>
          <th scope="col">Event</th>
          <th scope="col" class="num">
            {props.live ? 'Ends in' : 'Starts in'}
          </th>
          <th scope="col" class="num">
            <abbr title="prefixes programmed at the edge (the minimal cover of the listed entries)">
              Prefixes
            </abbr>
          </th>
          <th scope="col" class="num">
            Addresses
          </th>
        </tr>
      </thead>
      <tbody>
        {props.windows.map((w) => (
          <Row key={w.event} window={w} now={props.now} live={props.live} />
        ))}
      </tbody>
    </table>
  )
}

/** Live windows with a countdown to their end; the day's next windows with a countdown to their start. */
export function NowNext(props: { windows: { live: WindowView[]; upcoming: WindowView[] }; now: number }) {
  return (
    <section class="panel now-next" aria-labelledby="now-title">
      <h2 id="now-title">
        Now <span class="badge">{props.windows.live.length} live</span>
      </h2>
      <div data-testid="live-windows">
        <Table
          caption="Live windows"
          windows={props.windows.live}
          now={props.now}
          live
          empty="No window is live: nothing is enforced."
        />
      </div>
      <h3>Next 24 hours</h3>
      <div data-testid="upcoming-windows">
        <Table
          caption="Upcoming windows"
          windows={props.windows.upcoming}
          now={props.now}
          live={false}
          empty="No window opens in the next 24 hours."
        />
      </div>
    </section>
  )
}
