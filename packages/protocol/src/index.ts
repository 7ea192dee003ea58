export { canonicalJson } from './canonical.js'
export * from './messages.js'
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
