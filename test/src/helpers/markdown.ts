// Links and headings of Markdown files, for the documentation tests. Code (fenced blocks and
// inline spans) is blanked first: a TOML table or a Lua index in an example is not a link.

export interface Link {
  target: string;
  image: boolean;
  /** 1-based line of the link in the file. */
  line: number;
}

function blankCode(markdown: string): string {
  const keepLines = (s: string): string => s.replace(/[^\n]/g, ' ');
  return markdown
    .replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, keepLines)
    .replace(/`[^`\n]+`/g, keepLines);
}

export function markdownLinks(markdown: string): Link[] {
  const text = blankCode(markdown);
  const links: Link[] = [];
  const lineAt = (index: number): number => text.slice(0, index).split('\n').length;
  // [text](target "title") and ![alt](src); the text may hold one level of brackets (an image).
  for (const m of text.matchAll(/(!?)\[(?:[^\][]|\[[^\][]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+"[^"]*")?\s*\)/g)) {
    links.push({ target: m[2]!, image: m[1] === '!', line: lineAt(m.index!) });
  }
  for (const m of text.matchAll(/<img\s[^>]*src=["']([^"']+)["']/g)) {
    links.push({ target: m[1]!, image: true, line: lineAt(m.index!) });
  }
  // Reference definitions: [label]: target
  for (const m of text.matchAll(/^ {0,3}\[[^\]]+\]:\s+<?(\S+?)>?(?:\s|$)/gm)) {
    links.push({ target: m[1]!, image: false, line: lineAt(m.index!) });
  }
  return links;
}

/** GitHub's heading anchors: lower case, punctuation dropped, each space a hyphen, -1 -2 for repeats. */
export function headingAnchors(markdown: string): Set<string> {
  const anchors = new Set<string>();
  const seen = new Map<string, number>();
  const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '');
  for (const m of text.matchAll(/^#{1,6}\s+(.+?)\s*#*\s*$/gm)) {
    const plain = m[1]!.replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').replace(/<[^>]+>/g, '');
    const slug = plain.toLowerCase().replace(/[^\p{L}\p{N}\p{M}\p{Pc} -]/gu, '').replace(/ /g, '-');
    const n = seen.get(slug) ?? 0;
    seen.set(slug, n + 1);
    anchors.add(n === 0 ? slug : `${slug}-${n}`);
  }
  for (const m of markdown.matchAll(/<a\s+(?:name|id)=["']([^"']+)["']/g)) anchors.add(m[1]!);
  return anchors;
}

export function isExternal(target: string): boolean {
  return /^[a-z][a-z0-9+.-]*:/i.test(target);
}
