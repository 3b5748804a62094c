import { relative } from 'node:path';
import { BaseSequencer, type TestSpecification } from 'vitest/node';

/**
 * The files that take longest, each mostly waiting on processes it starts (an install, signers
 * killed and restarted, a fuzzed server, a frozen process): started first, the rest of the suite
 * fills the cores around them instead of the run ending on one of them alone. Vitest orders
 * files by the durations of the last run, which a fresh clone has not got (it then puts the
 * largest files first, which these are not).
 */
const SLOWEST = [
  'packages/cli/test/readme-commands.test.ts',
  'packages/cli/test/suites/crash-loop.test.ts',
  'packages/cli/test/suites/http-fuzz.test.ts',
  'packages/local-adapter/test/frozen-and-killed.test.ts',
  'packages/cli/test/installed-command.test.ts',
  'packages/cli/test/suites/backend-faults.test.ts',
  'packages/cli/test/azure/serve-race-table.test.ts',
  'packages/local-adapter/test/two-process.test.ts',
  'packages/cli/test/azure/identity-failure.test.ts',
  'packages/core/test/self-contained-clone.test.ts',
];

export default class SlowFirstSequencer extends BaseSequencer {
  override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
    const sorted = await super.sort(files);
    const rank = (spec: TestSpecification) => {
      const index = SLOWEST.indexOf(relative(this.ctx.config.root, spec.moduleId));
      return index === -1 ? SLOWEST.length : index;
    };
    // a stable sort: the rest keep vitest's order
    return sorted.sort((a, b) => rank(a) - rank(b));
  }
}
