// `pnpm bench --write-docs`: measures the page's cases and writes docs/benchmarks.md and its chart.
import { mkdir, writeFile } from 'node:fs/promises';
import { renderChart } from './latency-chart.js';
import { measurePage } from './page-cases.js';
import { CHART_FILE, writePage } from './page-writer.js';

export async function writeDocs(folder: URL): Promise<void> {
  const figures = await measurePage();
  await mkdir(folder, { recursive: true });
  await writeFile(new URL(CHART_FILE, folder), await renderChart(figures.shipped));
  const page = new URL('benchmarks.md', folder);
  await writeFile(page, writePage(figures));
  console.log(`wrote ${page.pathname} and ${CHART_FILE} (${figures.seconds.toFixed(0)} s)`);
}
