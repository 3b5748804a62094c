/**
 * What a commit thread runs (CommitThreads), as JavaScript source: a worker is started from
 * source text so that it runs alike from the TypeScript sources, the built package and the
 * bundled command, none of which has a worker file at a path of its own.
 *
 * For each job it makes, with blocking calls on its own thread, the calls a commit makes on
 * libuv's pool one round trip at a time: the temp file created exclusively (0600) and written
 * durably (O_DSYNC, else fsync), link(2)ed to the mark's name (which fails if that name
 * exists), the folder flushed (opened for it each time: a descriptor kept open would flush a
 * folder deleted since, not the one made in its place) and listed. It answers then, and only
 * afterwards removes the temp name: the mark's file has its own name and is flushed, and a
 * temp name a crash leaves behind is clutter that a later prune removes, never a mark.
 *
 * Answers `{ id, created: true, names }` (the temp name left out), `{ id, created: false,
 * code }` when the link found the position taken (EEXIST) or the temp file pruned by another
 * process that saw a mark at or above it (ENOENT), or `{ id, error }` with the failed call's
 * code, syscall and the step it belongs to: `write` (temp file and link), `flush` or `list`.
 */
export const CREATE_AND_LIST_SOURCE = `
'use strict';
// builtins through process.getBuiltinModule: the source runs as CommonJS or as a module alike
const { parentPort } = process.getBuiltinModule('node:worker_threads');
const fs = process.getBuiltinModule('node:fs');
const { O_WRONLY, O_CREAT, O_EXCL, O_DSYNC } = fs.constants;
const TEMP_FLAGS = O_WRONLY | O_CREAT | O_EXCL | (O_DSYNC === undefined ? 0 : O_DSYNC);
const FLUSH_FOLDERS = process.platform !== 'win32';

const removeQuietly = (path) => {
  try {
    fs.unlinkSync(path);
  } catch {}
};

function write(job) {
  const fd = fs.openSync(job.temp, TEMP_FLAGS, job.mode);
  try {
    const bytes = Buffer.from(job.data, 'utf8');
    for (let written = 0; written < bytes.length; ) written += fs.writeSync(fd, bytes, written, bytes.length - written, null);
    if (O_DSYNC === undefined) fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function flush(folder) {
  if (!FLUSH_FOLDERS) return;
  const fd = fs.openSync(folder, 'r');
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function run(job) {
  let step = 'write';
  try {
    try {
      write(job);
      fs.linkSync(job.temp, job.path);
    } catch (err) {
      removeQuietly(job.temp);
      if (err.syscall === 'link' && (err.code === 'EEXIST' || err.code === 'ENOENT')) return { created: false, code: err.code };
      throw err;
    }
    step = 'flush';
    flush(job.folder);
    step = 'list';
    const tempName = job.temp.slice(job.folder.length + 1);
    return { created: true, names: fs.readdirSync(job.folder).filter((name) => name !== tempName) };
  } catch (err) {
    return { error: { message: String(err && err.message), code: err && err.code, syscall: err && err.syscall, path: err && err.path, step } };
  }
}

parentPort.on('message', (job) => {
  const answer = run(job);
  answer.id = job.id;
  parentPort.postMessage(answer);
  if (answer.created === true) removeQuietly(job.temp);
});
`;
