export * from './errors.js';
export * from './curve.js';
export * from './watermark/marks.js';
export type * from './ports/key-provider.js';
export * from './ports/watermark-store.js';
export { hexToBytes, bytesToHex } from './encoding/hex.js';
export { blake2b256, blake2b160 } from './crypto/blake2b.js';
export { type PrefixName, isPrefixName } from './encoding/prefixes.js';
export { b58cEncode, b58cDecode, type B58cDecoded } from './encoding/base58.js';
export { encodeAddress, decodeAddress, addressToBytes, isAddress } from './encoding/address.js';
export { encodePublicKey, decodePublicKey, publicKeyHash, assertPublicKey } from './encoding/public-key.js';
export { type SecretKey, decodeSecretKey, encodeSecretKey, derivePublicKey, generateSecretKey, withoutOctezKeyTag } from './encoding/secret-key.js';
export {
  isEncryptedSecretKey,
  encryptSecretKey,
  decryptSecretKey,
  encryptSecretKeyAsync,
  decryptSecretKeyAsync,
  sealWithPassphraseAsync,
  openWithPassphraseAsync,
} from './encoding/encrypted-key.js';
export { encodeSignature, decodeSignature } from './encoding/signature.js';
export { type EcdsaCurve, normalizeEcdsaSignature } from './crypto/ecdsa-normalize.js';
export { signWithSecretKey, verifySignature, verifySignatureOf, verifyDigestSignature, blsProveProofOfPossession, verifyBlsProofOfPossession } from './signing/sign-and-verify.js';
export { CRYPTO_ENV, cryptoImplementations, type CryptoChoice, type CryptoImplementation } from './crypto/implementations.js';
export { AUTHENTICATION_MAGIC_BYTE, DEFAULT_MAGIC_BYTES, MAGIC_BYTES, parseMagicBytes, validateMagicBytes, describeMagicByte, formatMagicByte } from './request/magic-bytes.js';
export {
  parseRequest,
  watermarkOf,
  type SigningRequest,
  type BlockRequest,
  type ConsensusRequest,
  type LegacyEndorsementRequest,
  type OperationRequest,
  type MichelsonDataRequest,
  type AuthenticationRequest,
  type RequestWatermark,
} from './request/parse.js';
/*
 * Decoded generic operations (0x03), for policies and confirmations:
 * - parseRequest(bytes, curve) of a 0x03 request gives an OperationRequest whose `contents` are
 *   OperationContent values; decodeOperation(bytes) decodes the same request bytes (0x03 first)
 *   to { branch, contents } on its own. Unknown tags and layouts: BAD_REQUEST naming the tag.
 * - OperationContent is a union discriminated by octez's `kind` (OPERATION_KIND_NAMES lists them
 *   all, for validating a policy file). Manager kinds (isManagerContent) have source, fee, counter,
 *   gasLimit, storageLimit. Mutez and limits are bigint; addresses and keys base58; Michelson
 *   values { expression (Micheline JSON), size (bytes) }.
 * - summarizeContent / summarizeOperation: one line per content for a person;
 *   describeMichelson: a value rendered (renderMicheline) when short, summarized when long;
 *   layoutMicheline: every value of one, over as many lines as it needs;
 *   formatTez(mutez) → "12.5 ꜩ"; parseTez("12.5") → 12500000n.
 * - operationToJson / contentToJson: the same with bigints as decimal strings, for JSON output.
 * - a 0x05 request (MichelsonDataRequest) carries its packed value as `data`, shown with describeMichelson.
 */
export type * from './operation/content.js';
export type * from './micheline/expression.js';
export { decodeOperation } from './operation/decoder.js';
export { isManagerContent, OPERATION_KIND_NAMES } from './operation/kinds.js';
export { summarizeContent, summarizeOperation } from './operation/summary.js';
export { operationToJson, contentToJson } from './operation/json.js';
export { describeRequest } from './request/description.js';
export { renderMicheline, describeMichelson, escapeText, formatSize, MAX_RENDERED_LENGTH } from './micheline/render.js';
export { layoutMicheline } from './micheline/layout.js';
export { printable, quoted } from './encoding/printable.js';
export { formatTez, parseTez } from './operation/tez-amount.js';
export { authenticationBytes, authenticationVerifier, verifyAuthentication, type AuthenticationVerifier } from './signing/authentication.js';
export { approvalBytes, approvalVerifier, signApproval, type ApprovalStatement, type ApprovalVerifier } from './signing/approval.js';
export { KeyedQueue } from './watermark/keyed-queue.js';
export { MemoryWatermarkStore } from './memory/watermark-store.js';
export { MemoryKeyProvider } from './memory/key-provider.js';
export { SignerService, type SignerPolicy, type SignerServiceOptions, type SignOptions, type SignResult } from './signer-service.js';
export { SIGNATURE_VERSIONS, LATEST_SIGNATURE_VERSION, isSignatureVersion, parseSignatureVersion, type SignatureVersion, type BlsScheme } from './signing/signature-version.js';
export type { GateRequest, Gatekeeper } from './ports/gatekeeper.js';
export type { AuditDecision, AuditLog, AuditRecord } from './ports/audit-log.js';
export type { ConfirmationAnswer, Confirmations, HeldRequest } from './ports/confirmations.js';
export type { LedgerView, Spending, SpendingLedger } from './ports/spending-ledger.js';
export {
  ANY_OPERATION,
  POLICY_REQUEST_KINDS,
  VERDICTS,
  policyMayConfirm,
  type KeyPolicy,
  type Policy,
  type PolicyDecision,
  type PolicyLimits,
  type PolicyRequestKind,
  type Verdict,
} from './policy/model.js';
export { evaluatePolicy } from './policy/evaluation.js';
export { DAILY_CAPS, dailyCaps, type DailyCap } from './policy/daily-caps.js';
export { evaluateRequest } from './policy/evaluate-request.js';
export { requestFacts, totals, type RequestFacts, type OperationFacts } from './policy/facts.js';
export type { Spent } from './policy/limits.js';
export { parsePolicyFile } from './policy/policy-file.js';
// for front ends reading YAML files of their own (the cli's configuration file): the same messages
export { yamlValue } from './file-text/yaml-value.js';
export { describeTypeIssue } from './file-text/describe-type-issue.js';
export { unboundedFees, type UnboundedFees } from './policy/fee-bounds.js';
export { policyFromMagicBytes, signableMagicBytes } from './policy/from-magic-bytes.js';
export { PolicyGatekeeper, DAY_MS, type PolicyGatekeeperOptions } from './policy/gatekeeper.js';
export { MemorySpendingLedger, sumSince } from './memory/spending-ledger.js';
export { MemorySpendingStore } from './memory/spending-store.js';
export type { EntryChain, LedgerEntry, PositionedEntry, SpendingStore } from './ports/spending-store.js';
export { ChainedSpendingLedger, KEEP_MS, PRUNE_EVERY, ledgerEntryProblem, type ChainedSpendingLedgerOptions } from './ledger/chained-ledger.js';
export { MemoryAuditLog } from './memory/audit-log.js';
