import * as fs from 'fs';
import * as path from 'path';
import { parseAnnotations, type FileAnnotations } from './annotations';

// Layered fixture projects (test/fixtures/projects/<name>/...): small applications split into
// routes, services, repositories and models, annotated like the rule fixtures. Each project is
// checked with the whole project indexed, as the CLI and the editor see a workspace.

export const PROJECTS_DIR = path.resolve(__dirname, '..', '..', '..', 'test', 'fixtures', 'projects');

export interface ProjectFile {
  abs: string;
  rel: string;
  text: string;
  annotations: FileAnnotations;
}

export function projectNames(): string[] {
  if (!fs.existsSync(PROJECTS_DIR)) return [];
  return fs.readdirSync(PROJECTS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
}

export function projectFiles(name: string): ProjectFile[] {
  const root = path.join(PROJECTS_DIR, name);
  const out: ProjectFile[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const abs = path.join(dir, e.name);
      if (e.isDirectory()) walk(abs);
      else if (e.name.endsWith('.py')) {
        const text = fs.readFileSync(abs, 'utf8');
        out.push({ abs, rel: path.relative(root, abs).split(path.sep).join('/'), text, annotations: parseAnnotations(text) });
      }
    }
  };
  walk(root);
  return out;
}

/** Differences between findings (`line:rule` keys, 0-based lines) and a file's annotations. */
export function annotationProblems(file: ProjectFile, found: Array<{ line: number; rule: string; message: string }>): string[] {
  const problems: string[] = [];
  const got = new Set(found.map((f) => `${f.line}:${f.rule}`));
  const expected = new Set(file.annotations.expect.map((a) => `${a.line}:${a.rule}`));
  for (const a of file.annotations.expect) if (!got.has(`${a.line}:${a.rule}`)) problems.push(`${file.rel}:${a.line + 1} missing ${a.rule}`);
  for (const a of file.annotations.ok) if (got.has(`${a.line}:${a.rule}`)) problems.push(`${file.rel}:${a.line + 1} ${a.rule} reported on an "ok" line`);
  for (const f of found) if (!expected.has(`${f.line}:${f.rule}`)) problems.push(`${file.rel}:${f.line + 1} unexpected ${f.rule}: ${f.message}`);
  return problems;
}
