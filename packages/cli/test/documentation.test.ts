// The README is a front page over the guides in docs/, and no relative link of the repository's
// Markdown (README, guides, package READMEs) leads to a missing file or heading: sections move
// between files, and a link GitHub cannot follow is a dead end for the reader.
import { mkdir, mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import { REPOSITORY } from '../../../test-support/clone.js';
import { anchors, brokenLinks, markdownFiles, relativeLinks } from './support/markdown-links.js';
import { firstScreen, firstScreenCommands } from './support/readme-first-screen.js';

const readme = await readFile(join(REPOSITORY, 'README.md'), 'utf8');

test('the README is a front page: at most 250 lines, its commands within the first 60, a link to every guide in docs/', async () => {
  const lines = readme.trimEnd().split('\n');
  expect(lines.length).toBeLessThanOrEqual(250);
  const commands = firstScreenCommands(readme);
  expect(commands).toHaveLength(3);
  // the whole first screen, and so each of its commands, is on the first 60 lines
  expect(firstScreen(readme).split('\n').length).toBeLessThanOrEqual(60);
  expect(firstScreenCommands(lines.slice(0, 60).join('\n'))).toEqual(commands);
  const linked = new Set(relativeLinks(readme).map(({ target }) => target.split('#')[0]));
  const guides = (await readdir(join(REPOSITORY, 'docs'))).filter((name) => name.endsWith('.md'));
  expect(guides.length).toBeGreaterThanOrEqual(10);
  expect(guides.filter((guide) => !linked.has(`docs/${guide}`))).toEqual([]);
});

test("no relative link of the README, the guides or a package's README points at a missing file or heading", async () => {
  const files = markdownFiles(REPOSITORY).map((file) => relative(REPOSITORY, file));
  const packages = (await readdir(join(REPOSITORY, 'packages'))).map((name) => `packages/${name}/README.md`);
  expect(files).toEqual(expect.arrayContaining(['README.md', 'docs/keys.md', 'docs/benchmarks.md', ...packages]));
  expect(brokenLinks(REPOSITORY)).toEqual([]);
});

describe('the link checker', () => {
  test("makes GitHub's anchors: lower case, punctuation and code marks dropped, spaces to hyphens, repeats numbered", () => {
    const found = anchors(
      [
        '# tezsigner',
        '## `tezsigner serve` options',
        '## PKCS#11 HSMs',
        '## Policy, confirmation and audit',
        '### 1. Create the vault and the keys',
        '## Crash, fault, fuzz and soak suites ##',
        '## Où ça -- là',
        '## Setup',
        '## Setup',
        '## Setup',
        '## [Linked](elsewhere.md) *heading*',
        '<a id="explicit-anchor"></a>',
        '```sh',
        '# not a heading: a comment in code',
        '```',
        '#not-a-heading',
      ].join('\n'),
    );
    expect([...found].sort()).toEqual(
      [
        'tezsigner',
        'tezsigner-serve-options',
        'pkcs11-hsms',
        'policy-confirmation-and-audit',
        '1-create-the-vault-and-the-keys',
        'crash-fault-fuzz-and-soak-suites',
        'où-ça----là',
        'setup',
        'setup-1',
        'setup-2',
        'linked-heading',
        'explicit-anchor',
      ].sort(),
    );
  });

  test('reads relative links and images, also with code for text or in angle brackets, and none in code or to other sites', () => {
    const links = relativeLinks(
      [
        'See [the guide](docs/keys.md#keys), ![a chart](chart.svg) and [`deploy/`](deploy/).',
        '[HTTPS](https://example.com/x.md) [mail](mailto:a@b.c) [own](#heading) [spaced](<docs/a b.md> "title")',
        'Not a link: `[code](nowhere.md)`.',
        '```md',
        '[in a block](nowhere.md)',
        '```',
        '[ref]: ../other.md',
        'A [link whose text',
        'wraps](docs/wrapped.md), [not one',
        '',
        'across a paragraph](docs/no.md).',
      ].join('\n'),
    );
    expect(links).toEqual([
      { line: 1, target: 'docs/keys.md#keys' },
      { line: 1, target: 'chart.svg' },
      { line: 1, target: 'deploy/' },
      { line: 2, target: '#heading' },
      { line: 2, target: 'docs/a b.md' },
      { line: 7, target: '../other.md' },
      { line: 8, target: 'docs/wrapped.md' },
    ]);
  });

  let folder: string | undefined;
  afterAll(() => (folder === undefined ? undefined : rm(folder, { recursive: true, force: true })));

  test('names each link to a missing file, a missing heading, a folder or line anchor that cannot be, or outside the tree', async () => {
    folder = await mkdtemp(join(tmpdir(), 'tezsigner-links-'));
    const root = join(folder, 'repo');
    await mkdir(join(root, 'docs'), { recursive: true });
    await writeFile(join(root, 'docs/guide.md'), '# Guide\n\n## Set it up\n\n## Set it up\n');
    await writeFile(join(root, 'code.ts'), 'export {};\n');
    await writeFile(
      join(root, 'README.md'),
      [
        '# Front',
        '[ok](docs/guide.md#set-it-up-1) [ok](docs/guide.md) [ok](#front) [ok](docs/) [ok](code.ts#L1) [ok](docs/guide.md#set%2Dit%2Dup)',
        '[no heading](docs/guide.md#set-it-up-2)',
        '[no file](docs/missing.md)',
        '[no own heading](#back)',
        '[folder anchor](docs/#guide)',
        '[not a line](code.ts#main)',
        '[outside](../elsewhere.md)',
      ].join('\n'),
    );
    expect(brokenLinks(root, markdownFiles(root))).toEqual([
      'README.md:3: docs/guide.md#set-it-up-2: no heading #set-it-up-2 in docs/guide.md',
      'README.md:4: docs/missing.md: no such file: docs/missing.md',
      'README.md:5: #back: no heading #back in README.md',
      'README.md:6: docs/#guide: a folder has no anchor #guide',
      'README.md:7: code.ts#main: #main is not a line of code.ts',
      'README.md:8: ../elsewhere.md: points outside the repository',
    ]);
  });
});
