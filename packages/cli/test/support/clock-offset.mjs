// Loaded with --import (NODE_OPTIONS) into a tezsigner process: its Date.now reads
// TEZSIGNER_TEST_CLOCK_OFFSET_MS ahead (or behind), as a clock set wrong would.
const offset = Number(process.env.TEZSIGNER_TEST_CLOCK_OFFSET_MS ?? '0');
if (offset !== 0) {
  const realNow = Date.now.bind(Date);
  Date.now = () => realNow() + offset;
}
