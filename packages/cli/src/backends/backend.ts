import type { CliIo } from '../io/cli-io.js';
import type { BackendOptions } from './backend-options.js';

/** One choice of `--vault` or `--watermark-store`: what it is, and how to open it. */
export interface Backend<T> {
  /** for --help */
  readonly description: string;
  readonly open: (options: BackendOptions, io: CliIo) => Promise<T>;
}
