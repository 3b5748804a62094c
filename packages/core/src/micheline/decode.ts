import { bytesToHex } from '../encoding/hex.js';
import type { Micheline } from './expression.js';
import { MICHELSON_PRIMITIVES } from './primitives.js';
import { hex2, type RequestReader } from '../request/reader.js';

// Deep enough for any real contract value; shallow enough that a hostile request of nested
// sequences cannot exhaust the stack (each level costs one frame).
const MAX_DEPTH = 512;
// String.fromCharCode takes its bytes as arguments: chunks keep that far below any stack limit.
const CHUNK = 8192;

/** Names a primitive code, or refuses it; `at` is where its byte is. */
type PrimitiveNamer = (code: number, at: number, reader: RequestReader) => string;

const knownPrimitive: PrimitiveNamer = (code, at, reader) =>
  MICHELSON_PRIMITIVES[code] ?? reader.fail(`Micheline primitive 0x${hex2(code)} at byte ${at} is unknown to this signer`);

// Packed data (0x05) may use a primitive added by a later protocol: it passes, named for what it is.
const anyPrimitive: PrimitiveNamer = (code) => MICHELSON_PRIMITIVES[code] ?? `unknown_primitive_0x${hex2(code)}`;

/** One character per byte, so the text keeps every byte that was signed. */
export function latin1(bytes: Uint8Array): string {
  let text = '';
  for (let i = 0; i < bytes.length; i += CHUNK) text += String.fromCharCode(...bytes.subarray(i, i + CHUNK));
  return text;
}

/**
 * Reads one binary Micheline expression (octez `Micheline` binary encoding, what PACK writes
 * after its 0x05 and what operations carry) into its JSON form. A primitive code this signer
 * does not know is refused by name: an expression shown to a person must be shown exactly.
 */
export function decodeMicheline(reader: RequestReader): Micheline {
  return decode(reader, knownPrimitive, 0);
}

/**
 * Like decodeMicheline, for packed data (0x05): structure checked (tags, lengths, nesting), and a
 * primitive code this signer does not know kept as `unknown_primitive_0xNN`.
 */
export function readMicheline(reader: RequestReader): Micheline {
  return decode(reader, anyPrimitive, 0);
}

function decode(reader: RequestReader, primitive: PrimitiveNamer, depth: number): Micheline {
  if (depth > MAX_DEPTH) reader.fail(`Michelson expression nested deeper than ${MAX_DEPTH}`);
  const at = reader.offset;
  const tag = reader.u8('Micheline node tag');
  switch (tag) {
    case 0x00:
      return { int: reader.integer('Micheline int').toString() };
    case 0x01:
      return { string: latin1(reader.sized('Micheline string')) };
    case 0x02: {
      const items = reader.sizedReader('Micheline sequence');
      const sequence: Micheline[] = [];
      while (items.remaining > 0) sequence.push(decode(items, primitive, depth + 1));
      return sequence;
    }
    case 0x03:
    case 0x04:
    case 0x05:
    case 0x06:
    case 0x07:
    case 0x08: {
      // 0x03..0x08: a primitive with 0, 1 or 2 arguments, each without or with annotations
      const prim = readPrimitive(reader, primitive);
      const args: Micheline[] = [];
      for (let i = 0; i < (tag - 0x03) >> 1; i++) args.push(decode(reader, primitive, depth + 1));
      const annots = (tag - 0x03) % 2 === 1 ? readAnnotations(reader) : [];
      return primNode(prim, args, annots);
    }
    case 0x09: {
      const prim = readPrimitive(reader, primitive);
      const items = reader.sizedReader('Micheline arguments');
      const args: Micheline[] = [];
      while (items.remaining > 0) args.push(decode(items, primitive, depth + 1));
      return primNode(prim, args, readAnnotations(reader));
    }
    case 0x0a:
      return { bytes: bytesToHex(reader.sized('Micheline bytes')) };
    default:
      return reader.fail(`unknown Micheline node tag 0x${hex2(tag)} at byte ${at}`);
  }
}

function readPrimitive(reader: RequestReader, primitive: PrimitiveNamer): string {
  const at = reader.offset;
  return primitive(reader.u8('Micheline primitive'), at, reader);
}

/** Annotations travel as one string, separated by spaces. */
function readAnnotations(reader: RequestReader): string[] {
  return latin1(reader.sized('Micheline annotations'))
    .split(' ')
    .filter((annot) => annot !== '');
}

function primNode(prim: string, args: Micheline[], annots: string[]): Micheline {
  if (args.length === 0 && annots.length === 0) return { prim };
  if (annots.length === 0) return { prim, args };
  if (args.length === 0) return { prim, annots };
  return { prim, args, annots };
}
