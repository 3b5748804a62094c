import { badRequest } from '../errors.js';
import type { DecodedOperation, OperationContent } from './content.js';
import { readBranch } from './fields.js';
import { OPERATION_KINDS, REFUSED_OPERATION_TAGS } from './kinds.js';
import { hex2, RequestReader } from '../request/reader.js';

const GENERIC_OPERATION_MAGIC = 0x03;

/**
 * Reads an unsigned operation (octez `unsigned_operation_encoding`: branch, then a list of
 * contents filling the rest). Every content is read to its end, so the contents reported are
 * exactly what will be signed; a list of several contents may hold manager operations only.
 * A tag this signer does not decode is refused by number (and name, when octez has one).
 */
export function readOperation(reader: RequestReader): DecodedOperation {
  const branch = readBranch(reader);
  const contents: OperationContent[] = [];
  let allManagers = true;
  do {
    const at = reader.offset;
    const tag = reader.u8('operation tag');
    const kind = OPERATION_KINDS.get(tag);
    if (kind === undefined) {
      reader.fail(`${REFUSED_OPERATION_TAGS.get(tag) ?? 'unknown operation tag'} (tag ${tag} at byte ${at})`);
    }
    contents.push(kind.read(reader));
    allManagers &&= kind.manager;
  } while (reader.remaining > 0);
  if (contents.length > 1 && !allManagers) {
    reader.fail(`a batch of ${contents.length} operations may hold manager operations only, got ${contents.map((op) => op.kind).join(', ')}`);
  }
  return { branch, contents };
}

/**
 * Decodes a generic operation request as it is signed: the 0x03 magic byte, the branch, the
 * contents. Anything else, truncated, over-long or of a layout this signer does not know is
 * refused with BAD_REQUEST naming what and where.
 */
export function decodeOperation(bytes: Uint8Array): DecodedOperation {
  if (!(bytes instanceof Uint8Array)) throw badRequest('operation must be bytes');
  const reader = new RequestReader(bytes, 'request 0x03', 0);
  const magic = reader.u8('magic byte');
  if (magic !== GENERIC_OPERATION_MAGIC) reader.fail(`a generic operation starts with magic byte 0x03, got 0x${hex2(magic)}`);
  return readOperation(reader);
}
