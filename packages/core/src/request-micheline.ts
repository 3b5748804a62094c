import { hex2, type RequestReader } from './request-reader.js';

// Deep enough for any real contract value; shallow enough that a hostile request of nested
// sequences cannot exhaust the stack (each level costs one frame).
const MAX_DEPTH = 512;

/**
 * Reads one binary Micheline expression (octez `Micheline` binary encoding, what PACK
 * writes after its 0x05) and checks its structure: tags, lengths, nesting. Primitive
 * numbers are not checked against a list, so primitives added by a later protocol pass.
 */
export function readMicheline(reader: RequestReader, depth = 0): void {
  if (depth > MAX_DEPTH) reader.fail(`Michelson expression nested deeper than ${MAX_DEPTH}`);
  const at = reader.offset;
  const tag = reader.u8('Micheline node tag');
  switch (tag) {
    case 0x00:
      return reader.integer('Micheline int');
    case 0x01:
      reader.sized('Micheline string');
      return;
    case 0x02: {
      const items = reader.sizedReader('Micheline sequence');
      while (items.remaining > 0) readMicheline(items, depth + 1);
      return;
    }
    case 0x03:
    case 0x04:
    case 0x05:
    case 0x06:
    case 0x07:
    case 0x08: {
      // 0x03..0x08: a primitive with 0, 1 or 2 arguments, each without or with annotations
      reader.u8('Micheline primitive');
      const args = (tag - 0x03) >> 1;
      for (let i = 0; i < args; i++) readMicheline(reader, depth + 1);
      if ((tag - 0x03) % 2 === 1) reader.sized('Micheline annotations');
      return;
    }
    case 0x09: {
      reader.u8('Micheline primitive');
      const args = reader.sizedReader('Micheline arguments');
      while (args.remaining > 0) readMicheline(args, depth + 1);
      reader.sized('Micheline annotations');
      return;
    }
    case 0x0a:
      reader.sized('Micheline bytes');
      return;
    default:
      reader.fail(`unknown Micheline node tag 0x${hex2(tag)} at byte ${at}`);
  }
}
