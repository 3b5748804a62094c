// Loaded with --import into a `tezsigner serve` of the crash loop: it SIGKILLs its own process,
// at the odds TEZSIGNER_TEST_CRASH_ODDS gives, right before or after the file-system calls a
// watermark commit makes (the temp file's open, its link into place, each fsync), so deaths
// land between the backend's signature and the commit and in the middle of the commit.
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import { syncBuiltinESMExports } from 'node:module';

const odds = Number(process.env.TEZSIGNER_TEST_CRASH_ODDS ?? '0');
const maybeDie = () => {
  if (Math.random() < odds) process.kill(process.pid, 'SIGKILL');
};

const link = fsp.link;
fsp.link = async (...args) => {
  maybeDie();
  const linked = await link(...args);
  maybeDie();
  return linked;
};
const open = fs.open;
fs.open = function (path, ...rest) {
  if (String(path).endsWith('.tmp')) maybeDie();
  return open.call(this, path, ...rest);
};
const fsync = fs.fsync;
fs.fsync = function (fd, done) {
  maybeDie();
  return fsync.call(this, fd, (...results) => {
    maybeDie();
    done(...results);
  });
};
// ES modules that import these names by name see the wrapped functions
syncBuiltinESMExports();
