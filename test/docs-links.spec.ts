/**
 * The documentation cannot drift from the code: every relative link of a README or a docs/ page must exist (headings
 * too, for links with a #fragment), every repository path written in code spans of README.md and docs/**.md must
 * exist (service READMEs write paths relative to their service, so only their links are checked), every docs/patterns page
 * that a source file or README points to must exist under exactly that name, docs/architecture.md must name every
 * event type, topic, consumer group and work-queue name defined in @shop/contracts, and every pattern page has a demo
 * (`npm run demo -- <page name>`, scripts/demos/<page name>.mjs) that its "See it run" section and the README's pattern
 * map name, while every demo command written anywhere in the docs names a demo that exists.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve, sep } from 'node:path';
import { CONSUMER_GROUPS, EVENT_CATALOG, SHIPPING_QUEUE, TOPICS } from '@shop/contracts';

const ROOT = resolve(__dirname, '..');
/** Build outputs, dependencies and local state: not part of the repository. */
const SKIPPED_FOLDERS = new Set(['node_modules', 'dist', 'coverage', '.git', '.nx', '.local']);
/** Top-level folders of the repository: a code span starting with one of them names a repository path. */
const REPOSITORY_FOLDERS = ['gateway', 'services', 'libs', 'proto', 'scripts', 'test', 'docs', 'k8s', 'deploy'];
const PATTERN_PAGE = /docs\/patterns\/[0-9a-z-]+\.md/g;

interface Reference {
  readonly kind: 'link' | 'path';
  readonly target: string;
  readonly line: number;
}

/** Files under `folder` (repository-relative, with `/`) whose name passes `keep`, skipping build and local folders. */
function filesUnder(folder: string, keep: (name: string) => boolean): string[] {
  const found: string[] = [];
  const visit = (absolute: string): void => {
    for (const entry of readdirSync(absolute, { withFileTypes: true })) {
      if (SKIPPED_FOLDERS.has(entry.name)) continue;
      const path = join(absolute, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.isFile() && keep(entry.name)) found.push(relative(ROOT, path).split(sep).join('/'));
    }
  };
  visit(resolve(ROOT, folder));
  return found.sort();
}

/** The documentation whose code spans are repository paths: the root README and every page under docs/. */
function documentationFiles(): string[] {
  return ['README.md', ...filesUnder('docs', (name) => name.endsWith('.md'))];
}

/** The READMEs of the apps and libraries: their links are checked too. */
function projectReadmes(): string[] {
  return ['gateway', 'services', 'libs'].flatMap((folder) => filesUnder(folder, (name) => name === 'README.md'));
}

/** Blanks out fenced code blocks (commands, diagrams), keeping line numbers: their contents are not references. */
function withoutFencedCode(markdown: string): string {
  return markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, (block) => block.replace(/[^\n]/g, ' '));
}

/** Inline code spans (one or more backticks, CommonMark-style), with their text and position. */
function codeSpans(text: string): Array<{ readonly code: string; readonly index: number; readonly length: number }> {
  const spans: Array<{ code: string; index: number; length: number }> = [];
  for (const match of text.matchAll(/(`+)(?!`)([\s\S]*?[^`])\1(?!`)/g)) {
    spans.push({ code: match[2].trim(), index: match.index, length: match[0].length });
  }
  return spans;
}

const lineAt = (text: string, index: number): number => text.slice(0, index).split('\n').length;

/** A code span that names a file or folder of the repository, e.g. `services/order/src/main.ts`. */
function isRepositoryPath(code: string): boolean {
  const path = code.replace(/^\.\//, '');
  if (!/^[A-Za-z0-9._/-]+$/.test(path) || path.includes('..')) return false;
  const [top, ...rest] = path.split('/');
  // Build outputs (dist/) exist only after a build.
  return REPOSITORY_FOLDERS.includes(top) && rest.length > 0 && !rest.includes('dist');
}

/** Every relative link `[text](target)` outside code, and every repository path written as inline code. */
export function referencesIn(markdown: string): Reference[] {
  const text = withoutFencedCode(markdown);
  const references: Reference[] = [];
  let prose = text;
  for (const span of codeSpans(text)) {
    if (isRepositoryPath(span.code)) references.push({ kind: 'path', target: span.code.replace(/^\.\//, ''), line: lineAt(text, span.index) });
    prose = prose.slice(0, span.index) + ' '.repeat(span.length) + prose.slice(span.index + span.length);
  }
  for (const match of prose.matchAll(/!?\[[^\]\n]*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    const target = match[1];
    if (/^[a-z][a-z0-9+.-]*:/i.test(target)) continue; // http:, https:, mailto: …
    references.push({ kind: 'link', target, line: lineAt(prose, match.index) });
  }
  return references;
}

/** GitHub's anchors for the headings of a page: lower case, punctuation dropped, spaces as hyphens, repeats numbered. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  for (const match of withoutFencedCode(markdown).matchAll(/^#{1,6}[ \t]+(.+?)[ \t#]*$/gm)) {
    const slug = match[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, '')
      .replace(/\s/g, '-');
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    anchors.add(count === 0 ? slug : `${slug}-${count}`);
  }
  return anchors;
}

/** What is wrong with one reference of `file`, or undefined when it resolves. */
function problemWith(file: string, reference: Reference): string | undefined {
  const where = `${file}:${reference.line}`;
  if (reference.kind === 'path') {
    return existsSync(resolve(ROOT, reference.target)) ? undefined : `${where}: \`${reference.target}\` is not a file or folder of the repository`;
  }
  const [pathPart, fragment] = reference.target.split('#', 2);
  const path = decodeURIComponent(pathPart.split('?')[0]);
  const absolute = path === '' ? resolve(ROOT, file) : resolve(ROOT, dirname(file), path);
  if (!existsSync(absolute)) return `${where}: link (${reference.target}) points to ${relative(ROOT, absolute) || '.'}, which does not exist`;
  if (fragment && absolute.endsWith('.md') && !headingAnchors(readFileSync(absolute, 'utf8')).has(fragment.toLowerCase())) {
    return `${where}: link (${reference.target}) names #${fragment}, which is no heading of ${relative(ROOT, absolute)}`;
  }
  return undefined;
}

describe('the documentation', () => {
  const documents = documentationFiles();
  const readmes = projectReadmes();
  const read = (file: string): Reference[] => referencesIn(readFileSync(resolve(ROOT, file), 'utf8'));
  const references = new Map(documents.map((file) => [file, read(file)]));
  const readmeLinks = readmes.flatMap((file) => read(file).filter((r) => r.kind === 'link').map((r): [string, Reference] => [file, r]));
  const all = (kind: Reference['kind']): Array<[string, Reference]> =>
    [...references.entries()].flatMap(([file, refs]) => refs.filter((r) => r.kind === kind).map((r): [string, Reference] => [file, r]));

  it('finds relative links and repository paths in prose, not in fenced code, and not web addresses', () => {
    const given = [
      '# A page',
      'See [the saga](../docs/patterns/../architecture.md#a-page) and `services/order/src/main.ts` or `npm test`.',
      '[web](https://example.com) `services/<name>/src` `services/order/dist/main.js`',
      '```bash',
      'cat [no](link.md) `scripts/nothing-here.sh`',
      '```',
      'Double ``code with `services/order` inside`` and ``libs/messaging``.',
    ].join('\n');
    expect(referencesIn(given)).toEqual([
      { kind: 'path', target: 'services/order/src/main.ts', line: 2 },
      { kind: 'path', target: 'libs/messaging', line: 7 },
      { kind: 'link', target: '../docs/patterns/../architecture.md#a-page', line: 2 },
    ]);
    expect(headingAnchors('# 3. Circuit breaker\n## Queue catalog (RabbitMQ)\n## See it run\n## See it run')).toEqual(
      new Set(['3-circuit-breaker', 'queue-catalog-rabbitmq', 'see-it-run', 'see-it-run-1']),
    );
  });

  it('links only to files and folders that exist, and to headings those pages have, in docs/ and every README', () => {
    const links = [...all('link'), ...readmeLinks];
    expect(documents).toEqual(expect.arrayContaining(['README.md', 'docs/architecture.md', 'docs/starter.md']));
    expect(readmes).toContain('gateway/README.md');
    expect(links.length).toBeGreaterThan(0);
    const broken = links.map(([file, reference]) => problemWith(file, reference)).filter((problem) => problem !== undefined);
    expect(broken).toEqual([]);
  });

  it('names only repository paths that exist when it writes them as code', () => {
    const paths = all('path');
    expect(paths.length).toBeGreaterThan(0);
    const missing = paths.map(([file, reference]) => problemWith(file, reference)).filter((problem) => problem !== undefined);
    expect(missing).toEqual([]);
  });

  it('has a page, under exactly that name, for every docs/patterns page a source file or README points to', () => {
    const sources = filesUnder('.', (name) => name.endsWith('.ts') || name.endsWith('.md'));
    const pointers = sources.flatMap((file) => [...readFileSync(resolve(ROOT, file), 'utf8').matchAll(PATTERN_PAGE)].map((m) => `${file} → ${m[0]}`));
    expect(pointers.length).toBeGreaterThan(0);
    const missing = pointers.filter((pointer) => !existsSync(resolve(ROOT, pointer.split(' → ')[1])));
    expect(missing).toEqual([]);
  });

  describe('docs/architecture.md', () => {
    const architecture = readFileSync(resolve(ROOT, 'docs/architecture.md'), 'utf8');
    const tableRows = architecture.split('\n').filter((line) => line.startsWith('|'));

    it('lists every event type of EVENT_CATALOG in a row | topic | type | producer … | of the event catalog', () => {
      const listed = (type: string, topic: string, producer: string): boolean =>
        tableRows.some((row) => {
          const cells = row.split('|').map((cell) => cell.trim());
          return cells[1] === `\`${topic}\`` && cells[2] === `\`${type}\`` && new RegExp(`^${producer}\\b`).test(cells[3] ?? '');
        });
      const unlisted = EVENT_CATALOG.filter(({ type, topic, producer }) => !listed(type, topic, producer)).map(
        ({ type, topic, producer }) => `${type} (on ${topic}, from ${producer})`,
      );
      expect(EVENT_CATALOG.length).toBeGreaterThan(0);
      expect(unlisted).toEqual([]);
    });

    it('names every topic of TOPICS, every consumer group and every name of the shipping work queue', () => {
      const names = [...Object.values(TOPICS), ...Object.values(CONSUMER_GROUPS), ...Object.values(SHIPPING_QUEUE)];
      expect(names.filter((name) => !architecture.includes(`\`${name}\``))).toEqual([]);
    });
  });
});

describe('the pattern demos', () => {
  const pages = filesUnder('docs/patterns', (name) => name.endsWith('.md'));
  /** `docs/patterns/07-saga.md` → `saga`: a demo is named after its page, without the number. */
  const demoOf = (page: string): string => basename(page, '.md').replace(/^\d+-/, '');
  const demoFiles = filesUnder('scripts/demos', (name) => name.endsWith('.mjs') && name !== 'lib.mjs');
  const entry = readFileSync(resolve(ROOT, 'scripts/demo.mjs'), 'utf8');
  const listed = [...(/const NAMES = \[([\s\S]*?)\];/.exec(entry)?.[1] ?? '').matchAll(/'([a-z-]+)'/g)].map((m) => m[1]);
  const readme = readFileSync(resolve(ROOT, 'README.md'), 'utf8');
  /** The section of a page from its "## See it run" heading to the next heading of that level. */
  const seeItRun = (markdown: string): string => /^## See it run\n([\s\S]*?)(?=^## |(?![\s\S]))/m.exec(markdown)?.[1] ?? '';

  it('has scripts/demos/<name>.mjs for every pattern page, and scripts/demo.mjs runs exactly those, in page order', () => {
    expect(pages).toHaveLength(10);
    expect(demoFiles).toEqual(pages.map((page) => `scripts/demos/${demoOf(page)}.mjs`).sort());
    expect(listed).toEqual(pages.map(demoOf));
  });

  it('shows the command of its demo in the "See it run" section of every pattern page, and in the README pattern map', () => {
    const missing = pages.filter((page) => !seeItRun(readFileSync(resolve(ROOT, page), 'utf8')).includes(`npm run demo -- ${demoOf(page)}`));
    expect(missing).toEqual([]);
    const mapRows = readme.split('\n').filter((line) => /^\| \d+ \| /.test(line) && line.includes('](docs/patterns/'));
    expect(mapRows).toHaveLength(10);
    const rowsWithoutDemo = mapRows.filter((row) => {
      const page = /\]\((docs\/patterns\/[0-9a-z-]+\.md)\)/.exec(row)?.[1] ?? '';
      return !row.includes(`npm run demo -- ${demoOf(page)}\``) || !row.includes(`(scripts/demos/${demoOf(page)}.mjs)`);
    });
    expect(rowsWithoutDemo).toEqual([]);
  });

  it('names only demos that exist wherever README.md or docs/ writes `npm run demo -- <name>`, in code blocks too', () => {
    const commands = documentationFiles().flatMap((file) =>
      [...readFileSync(resolve(ROOT, file), 'utf8').matchAll(/npm run demo -- ([a-z][a-z-]*)/g)].map((m) => ({ file, name: m[1] })),
    );
    expect(commands.length).toBeGreaterThanOrEqual(20);
    const unknown = commands.filter(({ name }) => name !== 'all' && !existsSync(resolve(ROOT, `scripts/demos/${name}.mjs`)));
    expect(unknown).toEqual([]);
  });
});
