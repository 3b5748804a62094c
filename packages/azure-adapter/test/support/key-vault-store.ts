import { randomBytes } from 'node:crypto';
import { p256 } from '@noble/curves/nist.js';
import { secp256k1 } from '@noble/curves/secp256k1.js';

/** A key as the stand-in holds it: like an HSM, it never sends the private part over HTTP (tests may read it). */
export interface StoredKey {
  readonly name: string;
  /** 32 hex digits, as Key Vault names versions */
  readonly version: string;
  readonly kty: string;
  /** the curve name as this vault returns it (P-256K, SECP256K1, P-256, P-384) */
  readonly crv?: string;
  readonly x?: Uint8Array;
  readonly y?: Uint8Array;
  /** RSA modulus and exponent, only to be listed (and skipped by the provider) */
  readonly n?: Uint8Array;
  readonly e?: Uint8Array;
  readonly d?: Uint8Array;
  readonly keyOps: readonly string[];
  enabled: boolean;
  readonly created: number;
  readonly exportable: boolean;
}

export type StandInCurve = 'secp256k1' | 'p256';

const CURVES = { secp256k1, p256 } as const;

/** Which noble curve signs for a JWK curve name; undefined for curves the stand-in only lists. */
export function curveOfJwk(crv: string | undefined): StandInCurve | undefined {
  if (crv === 'P-256K' || crv === 'SECP256K1') return 'secp256k1';
  if (crv === 'P-256') return 'p256';
  return undefined;
}

/**
 * The curve names each signing algorithm is allowed with, as Key Vault checks them: the curve
 * first named SECP256K1 (while EC keys were in preview) signs only with the algorithm of that
 * time, ECDSA256; P-256K, its current name, only with ES256K.
 */
export const CURVES_OF_ALGORITHM: Record<string, readonly string[]> = {
  ES256K: ['P-256K'],
  ES256: ['P-256'],
  ECDSA256: ['P-256', 'SECP256K1'],
};

export interface GenerateOptions {
  readonly name: string;
  readonly curve: StandInCurve;
  /** curve name on the wire; P-256K or P-256 by default, SECP256K1 as older API versions say */
  readonly crv?: string;
  readonly kty?: string;
  readonly enabled?: boolean;
  readonly keyOps?: readonly string[];
  readonly exportable?: boolean;
  /** import this private scalar instead of generating one */
  readonly privateKey?: Uint8Array;
}

export interface SignOptions {
  /** answer with n - s whenever s is low, like an HSM that never normalizes */
  readonly forceHighS?: boolean;
  /** answer with a valid-looking signature of other bytes */
  readonly wrong?: boolean;
}

export class KeyVaultStore {
  private readonly keys = new Map<string, StoredKey[]>();

  current(name: string): StoredKey | undefined {
    return this.keys.get(name)?.at(-1);
  }

  find(name: string, version: string): StoredKey | undefined {
    if (version === '') return this.current(name);
    return this.keys.get(name)?.find((key) => key.version === version);
  }

  /** Every version of one key, oldest first. */
  versions(name: string): readonly StoredKey[] {
    return this.keys.get(name) ?? [];
  }

  /** Current versions, in name order (as the service lists them). */
  list(): StoredKey[] {
    return [...this.keys.keys()].sort().map((name) => this.current(name) as StoredKey);
  }

  /** Creates (or adds a new version of) an EC key with a private part the stand-in signs with. */
  generate(options: GenerateOptions): StoredKey {
    const curve = CURVES[options.curve];
    const d = options.privateKey ?? curve.utils.randomPrivateKey();
    const point = curve.getPublicKey(d, false);
    return this.add({
      name: options.name,
      kty: options.kty ?? 'EC-HSM',
      crv: options.crv ?? (options.curve === 'secp256k1' ? 'P-256K' : 'P-256'),
      x: point.slice(1, 33),
      y: point.slice(33, 65),
      d,
      keyOps: options.keyOps ?? ['sign', 'verify'],
      enabled: options.enabled ?? true,
      exportable: options.exportable ?? false,
    });
  }

  /** A key known only by its public part (e.g. the real vault keys of the shared vectors). */
  addPublic(name: string, jwk: { kty: string; crv: string; x: string; y: string }): StoredKey {
    return this.add({
      name,
      kty: jwk.kty,
      crv: jwk.crv,
      x: Buffer.from(jwk.x, 'base64url'),
      y: Buffer.from(jwk.y, 'base64url'),
      keyOps: ['sign', 'verify'],
      enabled: true,
      exportable: false,
    });
  }

  /** An RSA key, which a Tezos signer has no use for and must skip. */
  addRsa(name: string): StoredKey {
    return this.add({
      name,
      kty: 'RSA-HSM',
      n: randomBytes(256),
      e: Uint8Array.of(1, 0, 1),
      keyOps: ['sign', 'verify', 'encrypt', 'decrypt'],
      enabled: true,
      exportable: false,
    });
  }

  /** An EC key on a curve Tezos does not use (P-384). */
  addP384(name: string): StoredKey {
    return this.add({
      name,
      kty: 'EC-HSM',
      crv: 'P-384',
      x: randomBytes(48),
      y: randomBytes(48),
      keyOps: ['sign', 'verify'],
      enabled: true,
      exportable: false,
    });
  }

  private add(fields: Omit<StoredKey, 'version' | 'created'>): StoredKey {
    const key: StoredKey = { ...fields, version: randomBytes(16).toString('hex'), created: Math.floor(Date.now() / 1000) };
    const versions = this.keys.get(key.name) ?? [];
    versions.push(key);
    this.keys.set(key.name, versions);
    return key;
  }

  /**
   * Signs a 32-byte digest as an HSM does: a fresh random nonce each time (never RFC 6979, so
   * two signatures of one digest differ) and no low-S normalization, so about half of the
   * answers are high-S.
   */
  sign(key: StoredKey, digest: Uint8Array, options: SignOptions = {}): Uint8Array {
    const curveName = curveOfJwk(key.crv);
    if (curveName === undefined || key.d === undefined) throw new Error(`key ${key.name} cannot sign here`);
    const curve = CURVES[curveName];
    const signed = options.wrong ? Uint8Array.from(digest, (byte, i) => (i === 0 ? byte ^ 0xff : byte)) : digest;
    const signature = curve.sign(signed, key.d, { lowS: false, extraEntropy: true });
    if (options.forceHighS && !signature.hasHighS()) {
      return new curve.Signature(signature.r, curve.CURVE.n - signature.s).toCompactRawBytes();
    }
    return signature.toCompactRawBytes();
  }
}
