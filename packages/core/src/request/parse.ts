import { encodeAddress } from '../encoding/address.js';
import { b58cEncode } from '../encoding/base58.js';
import { CURVES, type Curve } from '../curve.js';
import { badRequest } from '../errors.js';
import { SIGN_REQUEST_TAG } from './magic-bytes.js';
import type { MichelsonExpression } from '../micheline/expression.js';
import type { OperationContent, OperationKindName } from '../operation/content.js';
import { readOperation } from '../operation/decoder.js';
import type { WatermarkKind } from '../ports/watermark-store.js';
import { readLegacyBlock, readTenderbakeBlock } from './block.js';
import { readConsensus, readLegacyEndorsement } from './consensus.js';
import { readMicheline } from '../micheline/decode.js';
import { hex2, RequestReader } from './reader.js';

const CHAIN_ID_LENGTH = 4;
const ADDRESS_HASH_LENGTH = 20;

interface Positioned {
  /** b58 `Net…` chain id */
  readonly chainId: string;
  readonly level: number;
  readonly round: number;
}

export interface BlockRequest extends Positioned {
  readonly kind: 'block';
  /** 0x11 Tenderbake, 0x01 legacy Emmy (round 0) */
  readonly magic: 0x11 | 0x01;
}

export interface ConsensusRequest extends Positioned {
  readonly kind: 'preattestation' | 'attestation';
  readonly magic: 0x12 | 0x13;
  readonly branch: string;
  /** absent when a tz4 key signs (its signed bytes leave the slot out) */
  readonly slot?: number;
  readonly withDal: boolean;
}

export interface LegacyEndorsementRequest extends Positioned {
  readonly kind: 'legacy_endorsement';
  readonly magic: 0x02;
  readonly branch: string;
}

export interface OperationRequest {
  readonly kind: 'operation';
  readonly magic: 0x03;
  readonly branch: string;
  /** octez kind of each content, in order ("reveal", "transaction", …) */
  readonly operationKinds: readonly OperationKindName[];
  /** every content decoded field by field (operation/content.ts) */
  readonly contents: readonly OperationContent[];
}

export interface MichelsonDataRequest {
  readonly kind: 'michelson_data';
  readonly magic: 0x05;
  /** the packed value (describeMichelson shows it to a person) */
  readonly data: MichelsonExpression;
}

/** 0x04: a client's authentication of a request; parsed so it can be refused by name, never signed. */
export interface AuthenticationRequest {
  readonly kind: 'authentication';
  readonly magic: 0x04;
  /** the key whose request was being authenticated */
  readonly pkh: string;
}

export type SigningRequest =
  | BlockRequest
  | ConsensusRequest
  | LegacyEndorsementRequest
  | OperationRequest
  | MichelsonDataRequest
  | AuthenticationRequest;

export interface RequestWatermark extends Positioned {
  readonly kind: WatermarkKind;
}

// A signer serves one or two chains: their b58 names are kept rather than encoded (two SHA-256
// and a base conversion) for every request. Bounded all the same, whatever the bytes say.
const CHAIN_NAMES_KEPT = 16;
const chainNames = new Map<number, string>();

function readChainId(reader: RequestReader): string {
  const bytes = reader.bytesOf(CHAIN_ID_LENGTH, 'chain id');
  const id = (((bytes[0] as number) << 24) | ((bytes[1] as number) << 16) | ((bytes[2] as number) << 8) | (bytes[3] as number)) >>> 0;
  let name = chainNames.get(id);
  if (name === undefined) {
    name = b58cEncode(bytes, 'Net');
    if (chainNames.size >= CHAIN_NAMES_KEPT) chainNames.clear();
    chainNames.set(id, name);
  }
  return name;
}

function parseAuthentication(reader: RequestReader): AuthenticationRequest {
  const tagAt = reader.offset;
  const tag = reader.u8('request tag');
  if (tag !== SIGN_REQUEST_TAG) reader.fail(`request tag at byte ${tagAt} is ${tag}, expected ${SIGN_REQUEST_TAG} (sign)`);
  const curveAt = reader.offset;
  const curve = CURVES[reader.u8('address tag')];
  if (curve === undefined) reader.fail(`unknown address tag at byte ${curveAt}`);
  const pkh = encodeAddress(curve, reader.bytesOf(ADDRESS_HASH_LENGTH, 'address hash'));
  return { kind: 'authentication', magic: 0x04, pkh };
}

/**
 * Reads what a signing request is (protocol notes §2–§3) and checks it is well formed to its
 * last byte. `signer` is the curve of the key asked to sign: a tz4 key's (pre)attestations
 * have another layout. Anything truncated, over-long or unknown is BAD_REQUEST.
 */
export function parseRequest(bytes: Uint8Array, signer: Curve): SigningRequest {
  if (!(bytes instanceof Uint8Array)) throw badRequest('request must be bytes');
  if (!CURVES.includes(signer)) throw badRequest(`unknown signer curve ${String(signer)}`);
  if (bytes.length === 0) throw badRequest('empty request: nothing to sign');
  const magic = bytes[0] as number;
  const reader = new RequestReader(bytes, `request 0x${hex2(magic)}`, 0);
  reader.u8('magic byte');
  switch (magic) {
    case 0x11: {
      const chainId = readChainId(reader);
      return { kind: 'block', magic, chainId, ...readTenderbakeBlock(reader) };
    }
    case 0x01: {
      const chainId = readChainId(reader);
      return { kind: 'block', magic, chainId, ...readLegacyBlock(reader) };
    }
    case 0x12:
    case 0x13: {
      const kind = magic === 0x12 ? 'preattestation' : 'attestation';
      const chainId = readChainId(reader);
      return { kind, magic, chainId, ...readConsensus(reader, kind, signer) };
    }
    case 0x02: {
      const chainId = readChainId(reader);
      return { kind: 'legacy_endorsement', magic, chainId, round: 0, ...readLegacyEndorsement(reader) };
    }
    case 0x03: {
      const { branch, contents } = readOperation(reader);
      return { kind: 'operation', magic, branch, operationKinds: contents.map((op) => op.kind), contents };
    }
    case 0x05: {
      const size = reader.remaining;
      const expression = readMicheline(reader);
      reader.end();
      return { kind: 'michelson_data', magic, data: { expression, size } };
    }
    case 0x04:
      return parseAuthentication(reader);
    default:
      throw badRequest(`unknown magic byte 0x${hex2(magic)}`);
  }
}

/** The high watermark a request falls under (protocol notes §4); undefined for unwatermarked kinds. */
export function watermarkOf(request: SigningRequest): RequestWatermark | undefined {
  switch (request.kind) {
    case 'block':
    case 'preattestation':
    case 'attestation':
    case 'legacy_endorsement':
      return { kind: request.kind, chainId: request.chainId, level: request.level, round: request.round };
    default:
      return undefined;
  }
}
