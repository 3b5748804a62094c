// Preloaded into a process (node --import) to freeze it at one file operation, as a test needs
// it frozen: TEZSIGNER_TEST_FREEZE_AT="<before|after> <rename|link|writeFile> <piece of a path>" stops the
// process (SIGSTOP, itself) before or after its first such call whose paths hold that piece,
// having said {"frozen": "<spec>"} on stdout (synchronous on a pipe on Linux). With
// TEZSIGNER_TEST_FREEZE_ARM=<file>, only once that file exists (a test arms it when it wants
// the next such call frozen). Works on any release, old ones included: it wraps
// node:fs/promises, whose ES module bindings follow (syncBuiltinESMExports).
import { existsSync } from 'node:fs';
import fs from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

const spec = process.env.TEZSIGNER_TEST_FREEZE_AT;
if (spec !== undefined && spec !== '') {
  const [when, op, piece] = spec.split(' ');
  if (!['before', 'after'].includes(when) || !['rename', 'link', 'writeFile'].includes(op) || !piece) throw new Error(`TEZSIGNER_TEST_FREEZE_AT: ${spec}`);
  const real = fs[op];
  let done = false;
  const freeze = () => {
    done = true;
    process.stdout.write(`${JSON.stringify({ frozen: spec })}\n`);
    process.kill(process.pid, 'SIGSTOP');
  };
  fs[op] = async (...paths) => {
    const armed = !process.env.TEZSIGNER_TEST_FREEZE_ARM || existsSync(process.env.TEZSIGNER_TEST_FREEZE_ARM);
    const match = !done && armed && paths.some((path) => String(path).includes(piece));
    if (match && when === 'before') freeze();
    const result = await real(...paths);
    if (match && when === 'after') freeze();
    return result;
  };
  syncBuiltinESMExports();
}
