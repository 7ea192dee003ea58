/**
 * The agent's release, printed by `--version`, sent in its hello and shown in `GET /v1/agents`.
 * Kept equal to package.json's `version` (a test checks it); a constant so the single-file
 * bundle needs no package.json beside it.
 */
export const AGENT_VERSION = '0.1.0'
