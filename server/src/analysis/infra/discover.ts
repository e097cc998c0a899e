// Which infrastructure files describe the service a Python file belongs to, read into one model.
// The nearest folder above the file (up to the repository root) that holds a template, or a
// conventional sub-folder of it (`infra/`, `terraform/`, `cdk/`...), is the service's root.
// Models are cached per root and re-read when any of their files changes on disk.

import * as fs from 'fs';
import * as path from 'path';
import { looksLikeCdk, readCdk } from './cdk';
import { looksLikeCloudFormation, readCloudFormation } from './cloudformation';
import { emptyModel, LIMITS, type InfraModel } from './model';
import { looksLikeServerless, readServerless } from './serverless';
import { readTerraform } from './terraform';

const SUBDIRS = ['infra', 'infrastructure', 'terraform', 'tf', 'deploy', 'deployment', 'iac', 'cdk', 'cloudformation', 'cfn', 'templates', 'stacks', 'stack'];
const MAX_LEVELS = 6;

type Kind = 'cfn' | 'serverless' | 'terraform' | 'cdk';

function classify(dir: string, name: string, hasCdkJson: boolean): Kind | undefined {
  if (/^serverless\.ya?ml$/.test(name)) return 'serverless';
  if (name.endsWith('.tf')) return 'terraform';
  if (/\.(ya?ml|json|template)$/.test(name) && !/^(package(-lock)?|tsconfig|cdk|samconfig|\.?eslintrc.*|docker-compose.*|openapi.*|swagger.*)\.(json|ya?ml)$/.test(name)) return 'cfn';
  if (hasCdkJson && name.endsWith('.py')) return 'cdk';
  void dir;
  return undefined;
}

function listInfra(dir: string): Array<{ file: string; kind: Kind }> {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const hasCdkJson = names.includes('cdk.json');
  const out: Array<{ file: string; kind: Kind }> = [];
  for (const name of names.slice(0, 2000)) {
    const kind = classify(dir, name, hasCdkJson);
    if (kind) out.push({ file: path.join(dir, name), kind });
  }
  // CDK stacks usually live in a package beside app.py.
  if (hasCdkJson) {
    for (const name of names) {
      const sub = path.join(dir, name);
      if (name.startsWith('.') || name === 'cdk.out' || name === 'node_modules' || !isDir(sub)) continue;
      for (const f of safeList(sub).filter((f) => f.endsWith('.py')).slice(0, 50)) out.push({ file: path.join(sub, f), kind: 'cdk' });
    }
  }
  return out;
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function isDir(p: string): boolean {
  try {
    return fs.statSync(p).isDirectory();
  } catch {
    return false;
  }
}

/**
 * Unsaved text of infrastructure files open in an editor: read instead of the disk, so a template
 * being edited is what the analysis sees. Each set bumps the file's stamp (models re-read).
 */
const overlays = new Map<string, { text: string; n: number }>();
let overlayCount = 0;

export function setInfraOverlay(file: string, text: string | undefined): void {
  const key = path.resolve(file);
  if (text === undefined) overlays.delete(key);
  else if (overlays.get(key)?.text !== text) overlays.set(key, { text, n: ++overlayCount });
}

function read(file: string): string | undefined {
  const overlay = overlays.get(file);
  if (overlay) return overlay.text.length <= LIMITS.maxFileBytes ? overlay.text : undefined;
  try {
    const st = fs.statSync(file);
    if (!st.isFile() || st.size > LIMITS.maxFileBytes) return undefined;
    return fs.readFileSync(file, 'utf8');
  } catch {
    return undefined;
  }
}

/** Content checks by file stamp: the editor asks for the root of every file it analyses. */
const checked = new Map<string, { stamp: string; text: string | undefined }>();
const MAX_CHECKED = 2000;

/** The file's text when it is infrastructure code of that kind, else undefined. */
function contentOf(file: string, kind: Kind): string | undefined {
  const s = stamp([file]);
  const hit = checked.get(file);
  if (hit && hit.stamp === s) return hit.text;
  let text = read(file);
  if (text !== undefined) {
    const ok = kind === 'cfn' ? looksLikeCloudFormation(text) : kind === 'serverless' ? looksLikeServerless(file, text) : kind === 'cdk' ? looksLikeCdk(text) : true;
    if (!ok) text = undefined;
  }
  if (checked.size >= MAX_CHECKED) checked.clear();
  checked.set(file, { stamp: s, text });
  return text;
}

/** Candidate infrastructure files of a root, content-checked so unrelated YAML/JSON/Python is left out. */
export function infraFilesOf(root: string): Array<{ file: string; kind: Kind; text: string }> {
  const out: Array<{ file: string; kind: Kind; text: string }> = [];
  const dirs = [root, ...SUBDIRS.map((s) => path.join(root, s)).filter(isDir)];
  for (const dir of dirs) {
    for (const c of listInfra(dir)) {
      if (out.length >= LIMITS.maxFiles) return out;
      const text = contentOf(c.file, c.kind);
      if (text !== undefined) out.push({ ...c, text });
    }
  }
  return out;
}

/** The service root of `file`: the nearest folder with infrastructure files, not above the repository. */
export function infraRootOf(file: string): string | undefined {
  let dir = path.dirname(path.resolve(file));
  for (let i = 0; i < MAX_LEVELS; i++) {
    if (infraFilesOf(dir).length > 0) return dir;
    if (fs.existsSync(path.join(dir, '.git'))) return undefined;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
  return undefined;
}

/** Read every infrastructure file of a root. Never throws: a broken file is an error entry. */
export function readInfra(root: string): InfraModel {
  const model = emptyModel();
  const files = infraFilesOf(root);
  const tf = new Map<string, Array<{ file: string; text: string }>>();
  for (const f of files) {
    model.files.push(f.file);
    try {
      if (f.kind === 'cfn') readCloudFormation(f.file, f.text, model);
      else if (f.kind === 'serverless') readServerless(f.file, f.text, model);
      else if (f.kind === 'cdk') readCdk(f.file, f.text, model);
      else tf.set(path.dirname(f.file), [...(tf.get(path.dirname(f.file)) ?? []), f]);
    } catch (e) {
      model.errors.push({ file: f.file, message: `could not be read: ${(e as Error).message}` });
    }
  }
  for (const group of tf.values()) {
    try {
      readTerraform(group, model);
    } catch (e) {
      model.errors.push({ file: group[0]!.file, message: `could not be read: ${(e as Error).message}` });
    }
  }
  return model;
}

const cache = new Map<string, { stamp: string; model: InfraModel }>();
const rootCache = new Map<string, { root: string | undefined; at: number }>();
/** Folder -> root answers are reused this long: the editor asks on every keystroke. */
const ROOT_TTL_MS = 2000;

function stamp(files: readonly string[]): string {
  return files.map((f) => {
    const overlay = overlays.get(f);
    if (overlay) return `${f}:unsaved:${overlay.n}`;
    try {
      const s = fs.statSync(f);
      return `${f}:${s.mtimeMs}:${s.size}`;
    } catch {
      return `${f}:gone`;
    }
  }).join('|');
}

/** The model of the service `file` belongs to, or undefined when no infrastructure code is near. */
export function infraFor(file: string | undefined): InfraModel | undefined {
  if (!file) return undefined;
  const dir = path.dirname(path.resolve(file));
  const now = Date.now();
  let r = rootCache.get(dir);
  if (!r || now - r.at > ROOT_TTL_MS) {
    r = { root: infraRootOf(file), at: now };
    rootCache.set(dir, r);
  }
  if (!r.root) return undefined;
  return modelOfRoot(r.root);
}

export function modelOfRoot(root: string): InfraModel {
  const hit = cache.get(root);
  if (hit && stamp(hit.model.files) === hit.stamp) return hit.model;
  const model = readInfra(root);
  cache.set(root, { stamp: stamp(model.files), model });
  return model;
}
