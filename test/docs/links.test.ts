import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const tracked = (glob: string[]): string[] =>
  execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', ...glob], {
    cwd: ROOT,
    encoding: 'utf8',
  })
    .split('\n')
    .filter(Boolean)
    .filter((f) => existsSync(path.join(ROOT, f)));

describe('the docs', () => {
  it('when a Markdown file links to a file of the repository, then that file exists', () => {
    const broken: string[] = [];
    for (const file of tracked(['*.md', '**/*.md'])) {
      const text = readFileSync(path.join(ROOT, file), 'utf8').replace(/```[\s\S]*?```/g, '');
      for (const [, target] of text.matchAll(/\]\(([^)\s]+)\)/g)) {
        if (/^(https?:|mailto:|#)/.test(target!)) continue;
        const local = target!.split('#')[0]!;
        if (!existsSync(path.resolve(ROOT, path.dirname(file), local))) broken.push(`${file} → ${target}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it('when code or a manifest cites a document of the repository, then it exists', () => {
    const broken: string[] = [];
    for (const file of tracked(['*.ts', '**/*.ts', '**/*.tsx', '**/*.yaml', '**/*.mjs', '**/*.sh'])) {
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      for (const [cited] of text.matchAll(/\b(?:docs|deploy|k8s|libs|services|apps|test)\/[\w./-]+\.md\b/g)) {
        if (!existsSync(path.join(ROOT, cited))) broken.push(`${file} → ${cited}`);
      }
    }
    expect(broken).toEqual([]);
  });

  it("when code, docs or a README name a document, then it is the project's own, not planning notes kept outside it", () => {
    const outside: string[] = [];
    for (const file of tracked(['*.ts', '**/*.ts', '**/*.tsx', '*.md', '**/*.md', '**/*.yaml'])) {
      if (file === 'test/docs/links.test.ts') continue;
      const text = readFileSync(path.join(ROOT, file), 'utf8');
      if (/DESIGN §|api-contract(\.md)?\b|\/work\/shared|\.\.\/shared\//.test(text)) outside.push(file);
    }
    expect(outside).toEqual([]);
  });
});
