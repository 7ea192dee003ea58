import type { DashboardView } from '../../view.js'

/**
 * What needs a person, always on screen whatever the number of ISPs: circuit-breaker holds, held
 * entries, failing ISPs and open complaints, each a link to its panel.
 */
export function ActionBar(props: { view: DashboardView }) {
  const { view } = props
  const items = [
    { id: 'breaker', href: '#guard', label: 'circuit-breaker holds', count: view.guard.breaker.length },
    { id: 'held', href: '#guard', label: 'held entries', count: view.guard.held.length },
    { id: 'failing', href: '#isps', label: 'failing ISPs', count: view.ispCounts.bad },
    { id: 'complaints', href: '#complaints', label: 'open complaints', count: view.complaints.length },
  ]
  return (
    <nav class="action-bar" aria-label="Needs action" data-testid="action-bar">
      {items.map((item) => (
        <a
          key={item.id}
          href={item.href}
          class={`action ${item.count > 0 ? 'action-due' : 'action-clear'}`}
          data-testid={`action-${item.id}`}
        >
          <strong>{item.count}</strong> {item.label}
        </a>
      ))}
    </nav>
  )
}
