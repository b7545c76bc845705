import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The dependency rule, checked by reading every import of every source file:
 * - domain imports only domain (plus a short list of pure libraries);
 * - application imports only domain and application;
 * - nothing imports src/interfaces except the entry points (src/main.ts, src/cli.ts) and interfaces itself.
 */
const root = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const src = join(root, 'src');
const ENTRY_POINTS = new Set(['src/main.ts', 'src/cli.ts']);
const PURE_LIBRARIES = new Set(['luxon', 'libphonenumber-js', 'zod']);

type Layer = 'domain' | 'application' | 'infrastructure' | 'interfaces' | 'entry';

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory())
      return name === 'web' && dir.endsWith('interfaces') ? [] : sourceFiles(path);
    return /\.tsx?$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = new Set<string>();
  const patterns = [
    /^\s*import\s+(?:type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm,
    /^\s*import\s+['"]([^'"]+)['"]/gm,
    /^\s*export\s+(?:type\s+)?[^'"]*?from\s+['"]([^'"]+)['"]/gm,
    /\bimport\(\s*['"]([^'"]+)['"]\s*\)/g,
  ];
  for (const pattern of patterns) for (const match of text.matchAll(pattern)) specifiers.add(match[1]!);
  return [...specifiers];
}

function layerOf(pathFromRoot: string): Layer | undefined {
  if (ENTRY_POINTS.has(pathFromRoot)) return 'entry';
  const match = /^src\/(domain|application|infrastructure|interfaces)\//.exec(pathFromRoot);
  return match ? (match[1] as Layer) : undefined;
}

function violations(): string[] {
  const found: string[] = [];
  for (const file of sourceFiles(src)) {
    const from = relative(root, file);
    const fromLayer = layerOf(from);
    for (const spec of importsOf(file)) {
      if (spec.startsWith('.')) {
        const target = relative(root, resolve(dirname(file), spec));
        const toLayer = layerOf(target.replace(/\.js$/, '.ts'));
        const allowed =
          fromLayer === 'domain'
            ? toLayer === 'domain'
            : fromLayer === 'application'
              ? toLayer === 'domain' || toLayer === 'application'
              : fromLayer === 'infrastructure'
                ? toLayer !== 'interfaces' && toLayer !== 'entry'
                : true;
        if (!allowed) found.push(`${from} imports ${target} (${fromLayer} -> ${toLayer})`);
      } else if (!spec.startsWith('node:') || fromLayer === 'domain') {
        const pkg = spec.startsWith('@') ? spec.split('/').slice(0, 2).join('/') : spec.split('/')[0]!;
        if (fromLayer === 'domain' && !PURE_LIBRARIES.has(pkg))
          found.push(`${from} imports package ${spec} (domain is pure)`);
        if (fromLayer === 'application' && !PURE_LIBRARIES.has(pkg) && !spec.startsWith('node:')) {
          found.push(`${from} imports package ${spec} (application knows only domain and ports)`);
        }
      }
    }
  }
  return found;
}

describe('the dependency rule', () => {
  it('finds source files in every layer it checks', () => {
    const layers = new Set(sourceFiles(src).map((f) => layerOf(relative(root, f))));
    expect(layers).toContain('domain');
    expect(layers).toContain('application');
  });

  it('holds for every import of every source file', () => {
    expect(violations()).toEqual([]);
  });

  it('would catch an outward import (self-check of the reader)', () => {
    expect(importsOf(join(src, 'application/ports/repositories.ts')).some((s) => s.includes('domain/'))).toBe(
      true,
    );
    expect(layerOf('src/domain/x.ts')).toBe('domain');
    expect(layerOf('src/main.ts')).toBe('entry');
  });
});
