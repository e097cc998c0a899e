import type { FileFacts } from '../model/facts';
import type { ClassInfo } from '../model/module';

// PynamoDB model classes named by a table call, wherever they are defined: this file, or a
// workspace module it imports them from (`from models import User`, `from .models import User`,
// `import models` + `models.User`), following one package re-export hop at a time.

const MAX_HOPS = 4;

/** The class `name` stands for in `facts` (a model's local name, or a dotted `models.User`). */
export function modelClass(facts: FileFacts, name: string | undefined): ClassInfo | undefined {
  if (!name) return undefined;
  const local = facts.module.classes.get(name);
  if (local) return local;
  const head = name.split('.')[0]!;
  // The engine names an imported model by its class name; find the import that brings it in.
  const imp = facts.module.imports.get(head) ?? [...facts.module.imports.values()].find((i) => i.qualified.endsWith(`.${name}`));
  if (!imp || !facts.workspace?.moduleFacts) return undefined;
  let qualified = facts.module.imports.get(head) ? imp.qualified + name.slice(head.length) : imp.qualified;
  let file = facts.path;
  for (let hop = 0; hop < MAX_HOPS; hop++) {
    const cut = qualified.lastIndexOf('.');
    if (cut <= 0) return undefined;
    const cls = qualified.slice(cut + 1);
    const mod = facts.workspace.moduleFacts(file, qualified.slice(0, cut));
    if (!mod) return undefined;
    const found = mod.facts.module.classes.get(cls);
    if (found) return found;
    const next = mod.facts.module.imports.get(cls);
    if (!next) return undefined;
    qualified = next.qualified;
    file = mod.path;
  }
  return undefined;
}
