import type { AgentStatus } from './agent.js'

/** Why the agent cannot use its gateway right now; cleared when a connection opens. */
export interface ConnectionProblem {
  kind: 'token-refused' | 'unreachable'
  gateway: string
  /** Plain words for the operator (logged once, shown in /status and /readyz). */
  reason: string
}

/** The gateway answered the websocket upgrade with `status` instead of switching protocols. */
export function describeRefusal(gateway: string, status: number): ConnectionProblem {
  if (status === 401 || status === 403) {
    return {
      kind: 'token-refused',
      gateway,
      reason:
        `the gateway refused this agent's token (HTTP ${status}): check that --token/--token-file ` +
        'holds an isp token issued by the Offside authority and not revoked; retrying with back-off',
    }
  }
  return {
    kind: 'unreachable',
    gateway,
    reason: `the gateway answered HTTP ${status} instead of a websocket`,
  }
}

/**
 * /readyz: an agent is ready only when it can do its job — connected, its token accepted, no
 * message being refused (a wrong pinned key refuses every revision) and not behind the revisions
 * the gateway has sent. Each problem is named, so the probe's body says what to fix.
 */
export function readiness(status: AgentStatus): { ready: boolean; problems: string[] } {
  const problems: string[] = []
  if (status.connectionProblem) problems.push(status.connectionProblem.reason)
  else if (!status.connected) problems.push(`not connected to the gateway ${status.gateway}`)
  if (status.clock?.skewed)
    problems.push(
      `clock off the gateway's by ${status.clock.offsetMs} ms (bound ${status.clock.maxOffsetMs} ms): windows switch that much early or late`,
    )
  if (status.refusing) {
    const about = status.refusing.revision ? ` (revision ${status.refusing.revision})` : ''
    problems.push(
      `refusing messages from the gateway${about}: ${status.refusing.code}, ${status.refusing.reason}`,
    )
  }
  if (status.latestRevisionSeen > status.revision) {
    problems.push(
      `behind: applied revision ${status.revision}, the gateway sent ${status.latestRevisionSeen}`,
    )
  }
  return { ready: problems.length === 0, problems }
}
