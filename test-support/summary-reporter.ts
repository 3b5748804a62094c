// Ends a test run with one plain line, "Tests: N passed, N failed[, N skipped]", which any CI
// reads the same way whatever the runner (vitest's own summary is styled for people).
import type { RunnerTask, RunnerTestFile } from 'vitest';
import type { Reporter } from 'vitest/reporters';

function count(tasks: readonly RunnerTask[], totals: { passed: number; failed: number; skipped: number }): void {
  for (const task of tasks) {
    if (task.type === 'suite') {
      count(task.tasks, totals);
      continue;
    }
    const state = task.result?.state;
    if (state === 'pass') totals.passed += 1;
    else if (state === 'fail') totals.failed += 1;
    else totals.skipped += 1;
  }
}

export default class SummaryReporter implements Reporter {
  onFinished(files: readonly RunnerTestFile[] = [], errors: readonly unknown[] = []): void {
    const totals = { passed: 0, failed: 0, skipped: 0 };
    count(files, totals);
    // a file that failed to load has no tests but is a failure all the same
    const broken = files.filter((file) => file.result?.state === 'fail' && file.tasks.length === 0).length + errors.length;
    const failed = totals.failed + broken;
    const skipped = totals.skipped > 0 ? `, ${totals.skipped} skipped` : '';
    process.stdout.write(`\nTests: ${totals.passed} passed, ${failed} failed${skipped}\n`);
  }
}
