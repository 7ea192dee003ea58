import type { Readable } from 'node:stream'
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { displayPrefix, isNameText, parseWeekKey } from '@offside/core'
import {
  addHotEntries,
  getListSummary,
  getListVersion,
  type ListExtra,
  type ListSummary,
  listWeeklyLists,
  readListEntries,
  swapWeeklyList,
} from '@offside/store'
import type { FastifyRequest } from 'fastify'
import { Type } from 'typebox'
import type { ApiConfig } from '../../config.js'
import { errors, problem } from '../../errors.js'
import { auditInput } from '../../plugins/audit.js'
import { assertOwnOrg, identityOf, rightsholderScope } from '../../plugins/auth.js'
import { filterQuery, pageQuery, problemResponses } from '../../schemas/common.js'
import {
  ListBody,
  ListEntriesView,
  ListParams,
  ListQuery,
  ListSummaryView,
  UploadResult,
} from '../../schemas/lists.js'
import { iso } from '../../views.js'
import { routeOptions } from '../options.js'
import { currentOrders } from './current-order.js'
import { type EntryVerdict, heldEntries, type JudgedList, judgeEntries } from './judge.js'
import { type RawEntry, readCsvEntries } from './read-entries.js'

type ListBodyType = { entries: RawEntry[]; evidence?: string; criterion?: string }

const summaryView = (summary: ListSummary) => ({ ...summary, uploadedAt: iso(summary.uploadedAt) })

function checkWeek(week: string): void {
  const parsed = parseWeekKey(week)
  if (!parsed.ok)
    throw problem(errors.InvalidInput, `"${week}" is not an ISO week like 2026-W48`, {
      field: 'week',
      reason: parsed.reason,
    })
}

/** The weekly list a read names, once the caller may read it and the week is an ISO week. */
function readableList(request: FastifyRequest, params: { rightsholder: string; week: string }) {
  const { rightsholder, week } = params
  assertOwnOrg(request, rightsholder, { readAll: true })
  checkWeek(week)
  return { rightsholder, week }
}

/** Weekly lists and hot additions (SPEC rule 3), each entry judged by the guard. */
const listRoutes: FastifyPluginAsyncTypebox<{ config: ApiConfig }> = async (app, { config }) => {
  /** Reads the entries from a JSON or CSV body; list-level evidence/criterion may come in the query for CSV. */
  async function readBody(request: FastifyRequest): Promise<ListBodyType> {
    const query = request.query as { evidence?: string; criterion?: string }
    if (request.headers['content-type']?.toLowerCase().startsWith('text/csv')) {
      return { entries: await readCsvEntries(request.body as Readable, config.listBodyLimit), ...query }
    }
    const body = request.body as ListBodyType | undefined
    if (!body)
      throw problem(errors.InvalidInput, 'a JSON body {entries:[…]} or a text/csv body is required', {
        field: 'body',
      })
    return { ...query, ...body }
  }

  async function judge(request: FastifyRequest, body: ListBodyType) {
    const { rightsholder, week } = request.params as { rightsholder: string; week: string }
    assertOwnOrg(request, rightsholder)
    checkWeek(week)
    // Independent reads, read together: a 1-entry hot addition is mostly its round trips.
    const [{ guard, asnOf }, orders] = await Promise.all([
      app.currentGuard(),
      currentOrders(app.db, rightsholder, Date.now()),
    ])
    return judgeEntries(body.entries, {
      guard,
      ...(asnOf ? { asnOf } : {}),
      ...orders,
      rightsholder,
      week,
      ...(body.evidence ? { evidence: body.evidence } : {}),
      ...(body.criterion ? { criterion: body.criterion } : {}),
    })
  }

  function countVerdicts(judged: JudgedList) {
    app.metrics.listEntries.inc({ verdict: 'accepted' }, judged.accepted.length)
    app.metrics.listEntries.inc({ verdict: 'held' }, judged.held.length)
    app.metrics.listEntries.inc({ verdict: 'rejected' }, judged.rejected.length)
  }

  const auditVerdicts = (verdicts: EntryVerdict[]) =>
    verdicts.slice(0, 1000).map(({ target, reason }) => ({ target, reason }))

  const uploadSchema = {
    tags: ['lists'],
    params: ListParams,
    querystring: ListQuery,
    // Per content type: JSON is validated against ListBody; a CSV body is a stream read row by row.
    body: { content: { 'application/json': { schema: ListBody }, 'text/csv': { schema: {} } } },
    response: { 200: UploadResult, ...problemResponses },
  }
  const uploadOptions = {
    config: { roles: ['rightsholder' as const], bodyTypes: ['csv' as const] },
    bodyLimit: config.listBodyLimit,
  }

  app.put('/lists/:rightsholder/:week', { ...uploadOptions, schema: uploadSchema }, async (request) => {
    const { rightsholder, week } = request.params
    const body = await readBody(request)
    const judged = await judge(request, body)
    const current = await getListSummary(app.db, rightsholder, week)
    if (current?.version === judged.version && current.hotAdditions === 0) {
      // Re-uploading the current list changes nothing (no new version, no revision). With hot
      // additions since, the week's list differs from this body, so it is stored again and they go.
      const stored = await getListVersion(app.db, rightsholder, week, judged.version)
      const verdicts = (stored?.verdicts ?? {}) as { held?: EntryVerdict[]; rejected?: EntryVerdict[] }
      return {
        rightsholder,
        week,
        version: judged.version,
        unchanged: true,
        entries: body.entries.length,
        accepted: current.accepted,
        held: verdicts.held ?? [],
        rejected: verdicts.rejected ?? [],
      }
    }
    const now = Date.now()
    const held = judged.held.map((h) => h.verdict)
    const summary: ListSummary = {
      rightsholder,
      week,
      version: judged.version,
      uploadedAt: now,
      uploadedBy: identityOf(request).tokenId,
      entries: body.entries.length,
      accepted: judged.accepted.length,
      held: held.length,
      rejected: judged.rejected.length,
      hotAdditions: 0,
      ...(body.evidence ? { evidence: body.evidence } : {}),
      ...(body.criterion ? { criterion: body.criterion } : {}),
    }
    // The record is appended in the swap's transaction: no upload without its audit record.
    await swapWeeklyList(app.db, {
      version: { summary, accepted: judged.accepted, verdicts: { held, rejected: judged.rejected } },
      held: heldEntries(judged, { rightsholder, week, source: 'upload', now }),
      audit: auditInput(request, 'list.upload', `list:${rightsholder}:${week}`, {
        version: judged.version,
        entries: summary.entries,
        accepted: summary.accepted,
        held: auditVerdicts(held),
        rejected: auditVerdicts(judged.rejected),
        evidence: body.evidence ?? null,
      }),
    })
    countVerdicts(judged)
    await app.recompute({ kind: 'list-upload', rightsholder, week })
    return {
      rightsholder,
      week,
      version: judged.version,
      unchanged: false,
      entries: summary.entries,
      accepted: summary.accepted,
      held,
      rejected: judged.rejected,
    }
  })

  app.post(
    '/lists/:rightsholder/:week/entries',
    { ...uploadOptions, schema: { ...uploadSchema, tags: ['lists'] } },
    async (request) => {
      const { rightsholder, week } = request.params
      const body = await readBody(request)
      const judged = await judge(request, body)
      const now = Date.now()
      const by = identityOf(request).tokenId
      const accepted: ListExtra[] = judged.accepted.map((entry) => ({
        ...entry,
        source: 'hot-addition',
        at: now,
        by,
      }))
      const held = judged.held.map((h) => h.verdict)
      // The record is appended in the same transaction as the addition: no addition without it.
      const summary = await addHotEntries(app.db, {
        rightsholder,
        week,
        accepted,
        held: heldEntries(judged, { rightsholder, week, source: 'hot-addition', now }),
        rejected: judged.rejected.length,
        now,
        by,
        audit: auditInput(request, 'list.hot-addition', `list:${rightsholder}:${week}`, {
          targets: judged.accepted.slice(0, 1000).map((entry) => displayPrefix(entry.target)),
          held: auditVerdicts(held),
          rejected: auditVerdicts(judged.rejected),
        }),
      })
      countVerdicts(judged)
      if (accepted.length > 0) {
        const targets = judged.accepted.map((e) => e.target)
        const names = targets.filter(isNameText)
        await app.recompute({
          kind: 'hot-addition',
          rightsholder,
          week,
          prefixes: targets.filter((target) => !isNameText(target)).slice(0, 1000),
          ...(names.length > 0 ? { names: names.slice(0, 1000) } : {}),
        })
      }
      return {
        rightsholder,
        week,
        version: summary.version,
        unchanged: false,
        entries: body.entries.length,
        accepted: accepted.length,
        held,
        rejected: judged.rejected,
      }
    },
  )

  const readers = { roles: ['rightsholder' as const, 'authority' as const, 'ops' as const] }

  app.get(
    '/lists',
    {
      config: readers,
      schema: {
        tags: ['lists'],
        querystring: filterQuery('rightsholder'),
        response: { 200: Type.Object({ lists: Type.Array(ListSummaryView) }) },
      },
    },
    async (request) => {
      const lists = await listWeeklyLists(app.db, rightsholderScope(request, request.query.rightsholder))
      const summaries = await Promise.all(
        lists.map((list) => getListSummary(app.db, list.rightsholder, list.week)),
      )
      return { lists: summaries.flatMap((summary) => (summary ? [summaryView(summary)] : [])) }
    },
  )

  app.get(
    '/lists/:rightsholder/:week',
    routeOptions(
      readers,
      'lists',
      {
        params: ListParams,
      },
      { 200: ListSummaryView },
    ),
    async (request) => {
      const { rightsholder, week } = readableList(request, request.params)
      const summary = await getListSummary(app.db, rightsholder, week)
      if (!summary) throw new errors.NotFound(`no list for ${rightsholder} in ${week}`)
      return summaryView(summary)
    },
  )

  app.get(
    '/lists/:rightsholder/:week/entries',
    routeOptions(
      readers,
      'lists',
      {
        params: ListParams,
        querystring: pageQuery(100_000),
      },
      { 200: ListEntriesView },
    ),
    async (request) => {
      const { rightsholder, week } = readableList(request, request.params)
      const list = await readListEntries(app.db, rightsholder, week)
      if (!list) throw new errors.NotFound(`no list for ${rightsholder} in ${week}`)
      const all = [
        ...list.uploaded.map((target) => ({ target: displayPrefix(target), source: 'upload' })),
        ...list.extras.map((extra) => ({
          target: displayPrefix(extra.target),
          source: extra.source,
          ...(extra.note ? { note: extra.note } : {}),
          ...(extra.evidence ? { evidence: extra.evidence } : {}),
        })),
      ]
      const offset = request.query.offset ?? 0
      return {
        rightsholder,
        week,
        version: list.summary.version,
        total: all.length,
        entries: all.slice(offset, offset + (request.query.limit ?? 1000)),
      }
    },
  )
}

export default listRoutes
