/**
 * `nx run-many -t build` on a fresh clone orders the builds by the project graph, and Nx learns a workspace's
 * dependencies from its package.json and its project.json `implicitDependencies`, not from its imports. A project
 * that imports `@shop/x` in its source without declaring it may start building before `x` is built (or, for
 * contracts, before its gRPC code is generated) and fail on a fresh machine. Every import of a sibling in non-test
 * source must therefore be declared in one of the two places.
 *
 * One exception: libs/testing imports libs/messaging, whose own integration specs use libs/testing. Declaring it would
 * be a cycle in the graph, so libs/testing builds libs/messaging through its tsconfig reference (`tsc -b`) instead,
 * after the contracts and platform it declares.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');
const TEST_FILE = /\.(spec|int-spec|e2e-spec)\.ts$/;
const SIBLING_IMPORT = /from '@shop\/([a-z-]+)/g;
/** Imports built through a tsconfig reference instead of the graph, to avoid a cycle (see above). */
const BUILT_BY_REFERENCE: Readonly<Record<string, readonly string[]>> = { 'libs/testing': ['messaging'] };

interface Project {
  readonly dir: string;
  readonly name: string;
  readonly declared: ReadonlySet<string>;
}

function projects(): Project[] {
  const dirs = ['gateway', ...['libs', 'services'].flatMap((parent) => readdirSync(resolve(ROOT, parent)).map((name) => `${parent}/${name}`))];
  return dirs.map((dir) => {
    const pkg = JSON.parse(readFileSync(resolve(ROOT, dir, 'package.json'), 'utf8')) as { dependencies?: Record<string, string> };
    const project = JSON.parse(readFileSync(resolve(ROOT, dir, 'project.json'), 'utf8')) as { name: string; implicitDependencies?: string[] };
    const fromPackage = Object.keys(pkg.dependencies ?? {})
      .filter((name) => name.startsWith('@shop/'))
      .map((name) => name.slice('@shop/'.length));
    return { dir, name: project.name, declared: new Set([...fromPackage, ...(project.implicitDependencies ?? [])]) };
  });
}

function importedSiblings(dir: string): Set<string> {
  const found = new Set<string>();
  const visit = (folder: string): void => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) visit(path);
      else if (entry.name.endsWith('.ts') && !TEST_FILE.test(entry.name)) {
        for (const match of readFileSync(path, 'utf8').matchAll(SIBLING_IMPORT)) found.add(match[1] as string);
      }
    }
  };
  visit(resolve(ROOT, dir, 'src'));
  return found;
}

describe('build graph', () => {
  it.each(projects().map((project) => [project.dir, project] as const))('%s declares every sibling it imports', (_dir, project) => {
    const byReference = BUILT_BY_REFERENCE[project.dir] ?? [];
    const undeclared = [...importedSiblings(project.dir)].filter(
      (name) => name !== project.name && !project.declared.has(name) && !byReference.includes(name),
    );
    expect(undeclared).toEqual([]);
  });

  it('builds what libs/testing imports without declaring through its tsconfig references', () => {
    const tsconfig = JSON.parse(readFileSync(resolve(ROOT, 'libs/testing/tsconfig.json'), 'utf8')) as { references: Array<{ path: string }> };
    const referenced = tsconfig.references.map((reference) => reference.path.replace('../', ''));
    expect(referenced).toEqual(expect.arrayContaining([...(BUILT_BY_REFERENCE['libs/testing'] ?? [])]));
  });
});
