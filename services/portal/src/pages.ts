/** The portal's pages, from the public API's answers. Counts and orders only; the look-up shows one address. */
import { duration, rate, when } from './format.js'
import { type Html, html, page } from './html.js'
import type { LookupData, Problem, TransparencyData } from './public-api.js'

function ordersTable(data: TransparencyData): Html {
  if (data.orders.length === 0) return html`<p class="muted">No order has been issued.</p>`
  return html`<table data-testid="orders">
<thead><tr><th>Reference</th><th>Rightsholder</th><th>Competitions</th><th>Season</th><th>Status</th><th>Suspensions</th><th>Enforced now</th></tr></thead>
<tbody>${data.orders.map(
    (order) => html`<tr data-order="${order.id}">
<td>${order.reference}</td><td>${order.rightsholder.name}</td>
<td>${order.competitions.map((c) => c.name).join(', ')}</td><td>${order.season}</td>
<td><span class="badge ${order.status}">${order.status === 'in-force' ? 'in force' : 'suspended'}</span></td>
<td>${
      order.suspensions.length === 0
        ? html`<span class="muted">none</span>`
        : order.suspensions.map(
            (s) => html`<div>${when(s.from)} → ${s.until ? when(s.until) : html`<em>ongoing</em>`}</div>`,
          )
    }</td>
<td class="n" data-testid="enforced-now">${order.enforcedNow}</td></tr>`,
  )}</tbody></table>`
}

function weeksTable(data: TransparencyData): Html {
  if (data.weeks.length === 0) return html`<p class="muted">No list has been uploaded.</p>`
  return html`<table data-testid="weeks">
<thead><tr><th>Week</th><th>Rightsholder</th><th>Listed</th><th>Held for review</th><th>Rejected</th><th>Revoked after complaints</th></tr></thead>
<tbody>${data.weeks.map(
    (w) => html`<tr data-week="${w.week}" data-rightsholder="${w.rightsholder}">
<td>${w.week}</td><td>${w.rightsholderName}</td><td class="n">${w.listed}</td><td class="n">${w.held}</td>
<td class="n">${w.rejected}</td><td class="n">${w.revokedAfterComplaints}</td></tr>`,
  )}</tbody></table>`
}

function complaintsBlock(data: TransparencyData): Html {
  const c = data.complaints
  return html`<table data-testid="complaints">
<thead><tr><th>Filed</th><th>Open</th><th>Upheld</th><th>Rejected</th><th>Median time to a decision</th></tr></thead>
<tbody><tr><td class="n">${c.filed}</td><td class="n">${c.open}</td><td class="n">${c.upheld}</td><td class="n">${c.rejected}</td>
<td class="n">${duration(c.medianDecisionMs)}</td></tr></tbody></table>`
}

function ispsTable(data: TransparencyData): Html {
  if (data.isps.length === 0) return html`<p class="muted">No ISP agent has connected.</p>`
  return html`<table data-testid="isps">
<thead><tr><th>ISP</th><th>Activations</th><th>On time</th><th>Late</th><th>Missing</th><th>On-time rate</th></tr></thead>
<tbody>${data.isps.map(
    (isp) => html`<tr data-isp="${isp.isp}"><td>${isp.name}</td><td class="n">${isp.expected}</td>
<td class="n">${isp.onTime}</td><td class="n">${isp.late}</td><td class="n">${isp.missing}</td><td class="n">${rate(isp.onTimeRate)}</td></tr>`,
  )}</tbody></table>`
}

export function overviewPage(data: TransparencyData): string {
  return page(
    'Orders and counts',
    html`<h1>Blocking orders and what they enforce</h1>
<p>Blocks are switched on only during the windows of the matches an order covers. This page shows
the orders and counts only; it never lists the addresses blocked. To ask about one address, use
<a href="/lookup">the look-up</a>.</p>
<p data-testid="enforced-total">Enforced right now: <strong>${data.enforcedNow}</strong> addresses or prefixes, all orders together.</p>
<h2>Orders</h2>${ordersTable(data)}
<h2>Lists per week</h2>
<p class="muted">What each rightsholder listed, what the overblocking guard held or rejected, and what was revoked after complaints.</p>
${weeksTable(data)}
<h2>Complaints</h2>${complaintsBlock(data)}
<h2>ISPs' timeliness</h2>
<p class="muted">Over the last ${data.timelinessDays} days: how many activations each ISP's agents enforced on time.</p>
${ispsTable(data)}
<p class="muted">Report generated ${when(data.generatedAt)}.</p>`,
  )
}

export interface LookupView {
  target?: string
  result?: LookupData
  problem?: Problem
  complaint?: { id: string } | { problem: Problem; contact: string; reason: string }
}

function resultBlock(result: LookupData): Html {
  const networks =
    result.announcedBy && result.announcedBy.length > 0
      ? html`<p class="muted" data-testid="announced-by">Announced by ${result.announcedBy
          .map((as) => `AS${as.asn} (${as.organisation})`)
          .join(', ')}.</p>`
      : ''
  if (!result.blocked) {
    return html`<div class="free" data-testid="lookup-result" data-blocked="false"><strong>${result.target}</strong> is not blocked right now.</div>${networks}`
  }
  return html`<div class="blocked" data-testid="lookup-result" data-blocked="true"><strong>${result.target}</strong> is blocked right now.
<ul>${result.matches.map(
    (m) =>
      html`<li>as <code>${m.prefix}</code> until ${when(m.until)}, under ${m.orders
        .map((o) => o.reference || o.id)
        .join(', ')}</li>`,
  )}</ul></div>${networks}`
}

function complaintForm(view: LookupView): Html {
  const failed = view.complaint && 'problem' in view.complaint ? view.complaint : null
  if (view.complaint && 'id' in view.complaint) {
    return html`<p data-testid="complaint-filed">Your complaint was filed as <strong>${view.complaint.id}</strong>. The authority decides it; an upheld complaint lifts the block at every ISP.</p>`
  }
  return html`<h2>Complain about a block</h2>
<p>Free of charge, no account needed. If a lawful service of yours shares this address, say so here.</p>
${failed ? html`<p class="error" data-testid="complaint-error">${failed.problem.detail ?? failed.problem.title ?? 'The complaint was refused.'}</p>` : ''}
<form class="box" method="post" action="/complaints" data-testid="complaint-form">
<label for="c-target">Address</label><input id="c-target" name="target" required maxlength="100" value="${view.target ?? ''}">
<label for="c-contact">How to reach you (e-mail)</label><input id="c-contact" name="contact" required maxlength="200" value="${failed?.contact ?? ''}">
<label for="c-reason">What lawful service is affected</label><textarea id="c-reason" name="reason" required maxlength="4000" rows="4">${failed?.reason ?? ''}</textarea>
<button type="submit">File the complaint</button>
</form>`
}

export function lookupPage(view: LookupView): string {
  return page(
    'Is an address blocked?',
    html`<h1>Is an address blocked right now?</h1>
<form class="box" method="get" action="/lookup" data-testid="lookup-form">
<label for="target">IP address</label><input id="target" name="target" required maxlength="100" value="${view.target ?? ''}">
<button type="submit">Look it up</button>
</form>
${view.problem ? html`<p class="error" data-testid="lookup-error">${view.problem.detail ?? view.problem.title ?? 'The look-up was refused.'}</p>` : ''}
${view.result ? resultBlock(view.result) : ''}
${view.target !== undefined || view.complaint ? complaintForm(view) : ''}`,
  )
}

export function unavailablePage(): string {
  return page(
    'Unavailable',
    html`<h1>The report is unavailable</h1><p>The portal could not reach the authority's system. Try again in a minute.</p>`,
  )
}
