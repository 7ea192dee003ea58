import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox'
import { DEFAULT_COMPLIANCE_LATE_MS } from '@offside/core'
import { loadSigningKey, type SigningKey, signReport } from '@offside/protocol'
import { Type } from 'typebox'
import { errors, problem } from '../../errors.js'
import { identityOf } from '../../plugins/auth.js'
import { problemResponses } from '../../schemas/common.js'
import { loadCompliance } from '../agents/compliance-data.js'
import { annualCsv, annualFigures, annualPdf } from './annual.js'
import { prosecutorBundle } from './prosecutor.js'

export interface ReportRoutesOptions {
  complianceLateMs?: number
  /** Ed25519 private key (PEM) signing the prosecutor's export; without it the export is refused. */
  reportSigningKeyFile: string | null
}

const ProsecutorQuery = Type.Object(
  { from: Type.String({ format: 'date-time' }), to: Type.String({ format: 'date-time' }) },
  { additionalProperties: false },
)

const AnnualQuery = Type.Object(
  {
    year: Type.Integer({ minimum: 2000, maximum: 2100 }),
    isp: Type.Optional(Type.String({ maxLength: 128 })),
    format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv'), Type.Literal('pdf')])),
  },
  { additionalProperties: false },
)

/** Reports for the law: the prosecutor's signed export (art. 3.6) and the ISPs' annual report (art. 5.4). */
const reportRoutes: FastifyPluginAsyncTypebox<ReportRoutesOptions> = async (app, options) => {
  const lateMs = options.complianceLateMs ?? DEFAULT_COMPLIANCE_LATE_MS
  let key: Promise<SigningKey> | null = null
  const signingKey = () => {
    if (!options.reportSigningKeyFile) return null
    key ??= loadSigningKey(options.reportSigningKeyFile)
    return key
  }

  app.get(
    '/reports/prosecutor',
    {
      config: { roles: ['authority'] },
      schema: { tags: ['reports'], querystring: ProsecutorQuery, response: problemResponses },
    },
    async (request, reply) => {
      const from = Date.parse(request.query.from)
      const to = Date.parse(request.query.to)
      if (!(from < to))
        throw problem(errors.InvalidInput, 'from must be before to', { field: 'from', reason: 'after-to' })
      const pending = signingKey()
      if (!pending) {
        throw problem(
          errors.Conflict,
          'no report signing key is configured (OFFSIDE_REPORT_SIGNING_KEY_FILE)',
          {
            field: 'OFFSIDE_REPORT_SIGNING_KEY_FILE',
            reason: 'not-configured',
          },
        )
      }
      const now = Date.now()
      const compliance = await loadCompliance(app.db, { from, to, lateMs, now })
      const signed = signReport(await prosecutorBundle(app.db, { from, to }, compliance, now), await pending)
      await app.audit(request, 'report.prosecutor', 'report:prosecutor', {
        from: request.query.from,
        to: request.query.to,
        orders: signed.bundle.orders.length,
        keyId: signed.signature.keyId,
      })
      return reply
        .type('application/json')
        .header('content-disposition', 'attachment; filename="offside-prosecutor-export.json"')
        .send(`${JSON.stringify(signed, null, 2)}\n`)
    },
  )

  app.get(
    '/reports/isp-annual',
    {
      config: { roles: ['authority', 'ops', 'isp'] },
      schema: { tags: ['reports'], querystring: AnnualQuery, response: problemResponses },
    },
    async (request, reply) => {
      const { year, format = 'json' } = request.query
      const identity = identityOf(request)
      let isp = request.query.isp
      if (identity.role === 'isp') {
        if (isp !== undefined && isp !== identity.org)
          throw new errors.Forbidden(`an isp token of "${identity.org}" cannot read "${isp}"`)
        isp = identity.org
      }
      const period = { from: Date.UTC(year, 0, 1), to: Date.UTC(year + 1, 0, 1) }
      const now = Date.now()
      const data = await loadCompliance(app.db, {
        ...period,
        lateMs,
        now,
        ...(isp === undefined ? {} : { isp }),
      })
      const figures = annualFigures(data, year, period)
      const name = `offside-annual-${year}${isp ? `-${isp}` : ''}`
      if (format === 'csv') {
        return reply
          .type('text/csv; charset=utf-8')
          .header('content-disposition', `attachment; filename="${name}.csv"`)
          .send(annualCsv(figures))
      }
      if (format === 'pdf') {
        return reply
          .type('application/pdf')
          .header('content-disposition', `attachment; filename="${name}.pdf"`)
          .send(Buffer.from(await annualPdf(figures, year, now)))
      }
      return reply.send({ year, isps: figures })
    },
  )
}

export default reportRoutes
