// Loaded with --import into a `tezsigner serve` of the crash loop on PostgreSQL: it SIGKILLs its
// own process, at the odds TEZSIGNER_TEST_CRASH_ODDS gives, right before a watermark commit's
// statement goes to the database and right after it went (its answer not read yet: the commit
// may have landed, its signature never returned), so deaths land inside the commit.
import net from 'node:net';

const odds = Number(process.env.TEZSIGNER_TEST_CRASH_ODDS ?? '0');
const maybeDie = () => {
  if (Math.random() < odds) process.kill(process.pid, 'SIGKILL');
};

const write = net.Socket.prototype.write;
net.Socket.prototype.write = function (chunk, ...rest) {
  // node-postgres sends a statement's text in its Parse message, then Bind, Execute and Sync in the same turn
  const commit = Buffer.isBuffer(chunk) && chunk.includes('INSERT INTO') && chunk.includes('watermarks');
  if (commit) maybeDie();
  const written = write.call(this, chunk, ...rest);
  if (commit) setImmediate(maybeDie);
  return written;
};
