export { canonicalJson } from './canonical.js'
export * from './messages.js'
export {
  REPORT_SIGNATURE_CONTEXT,
  type ReportVerdict,
  type SignedReport,
  signReport,
  verifyReport,
} from './report-signature.js'
export {
  generateSigningKeyPair,
  keyIdOf,
  loadSigningKey,
  loadTrustedKeys,
  type SigningKey,
  signingKeyFromPem,
  signPayload,
  type TrustedKeys,
  trustedKeysFromPem,
  type VerifyResult,
  verifySigned,
} from './signing.js'
export { type Parsed, parseAgentMessage, parseGatewayMessage } from './validate.js'
