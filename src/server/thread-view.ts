// The thread page's data: the messages of a conversation as a tree of who answered whom, each with
// its verdict, built from In-Reply-To (else the last known References entry).
import type { ThreadMessage } from '../store/thread-repo.ts';

export interface ThreadNode {
  message: Omit<ThreadMessage, 'bodyText' | 'references'>;
  /** What the message adds: its text without quoted lines, cut short. */
  excerpt: string;
  /** The message it answers, when that is in the dump. */
  parent: string | null;
  /** The Message-ID it answers when that message is not in the dump (it is then shown under `parent`, its nearest known ancestor). */
  missingParent: string | null;
  /** Dated before the message it answers (a reply cannot precede its parent). */
  beforeParent: boolean;
  depth: number;
}

export interface ThreadView {
  /** The message the thread was opened from. */
  focus: string;
  nodes: ThreadNode[];
  truncated: boolean;
  /** Messages that share a Message-ID with another one of the thread (copies). */
  copies: number;
}

const EXCERPT = 280;

/** The text a reply adds: lines that are not quotes ("> …") nor the "On …, X wrote:" before them. */
export function excerptOf(text: string | null): string {
  if (!text) return '';
  const lines = text.split(/\r?\n/);
  const own: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    if (/^\s*>/.test(line)) continue;
    if (/wrote:\s*$/i.test(line) && /^\s*>/.test(lines[i + 1] ?? lines[i + 2] ?? '')) continue;
    if (/^-----\s*Original Message\s*-----/i.test(line)) break;
    own.push(line);
  }
  const flat = own.join(' ').replace(/\s+/g, ' ').trim();
  return flat.length > EXCERPT ? `${flat.slice(0, EXCERPT - 1)}…` : flat;
}

function byDate(a: ThreadMessage, b: ThreadMessage): number {
  const da = a.dateEpoch ?? Number.MAX_SAFE_INTEGER;
  const dbb = b.dateEpoch ?? Number.MAX_SAFE_INTEGER;
  return da - dbb || (a.sha256 < b.sha256 ? -1 : 1);
}

export function threadView(focus: string, messages: ThreadMessage[], truncated: boolean): ThreadView {
  const sorted = [...messages].sort(byDate);
  // The earliest copy stands for a Message-ID that several messages share.
  const firstWithId = new Map<string, ThreadMessage>();
  for (const m of sorted) if (m.messageId && !firstWithId.has(m.messageId)) firstWithId.set(m.messageId, m);
  const parentOf = new Map<string, { parent: ThreadMessage | null; missing: string | null }>();
  for (const m of sorted) {
    const named = m.inReplyTo ?? m.references.at(-1) ?? null;
    const candidates = [m.inReplyTo, ...[...m.references].reverse()].filter((x): x is string => !!x);
    const known = candidates.map((id) => firstWithId.get(id)).find((p) => p && p.sha256 !== m.sha256) ?? null;
    // A reply to a message the dump lacks is placed under its nearest known ancestor, and says so.
    const lost = m.inReplyTo && !firstWithId.has(m.inReplyTo) ? m.inReplyTo : null;
    parentOf.set(m.sha256, { parent: known, missing: lost ?? (known ? null : named) });
  }
  const children = new Map<string, ThreadMessage[]>();
  const roots: ThreadMessage[] = [];
  for (const m of sorted) {
    const p = parentOf.get(m.sha256)?.parent;
    if (p) children.set(p.sha256, [...(children.get(p.sha256) ?? []), m]);
    else roots.push(m);
  }
  const nodes: ThreadNode[] = [];
  const seen = new Set<string>();
  const visit = (m: ThreadMessage, depth: number) => {
    if (seen.has(m.sha256)) return;
    seen.add(m.sha256);
    const link = parentOf.get(m.sha256) ?? { parent: null, missing: null };
    const { bodyText, references: _r, ...message } = m;
    nodes.push({
      message,
      excerpt: excerptOf(bodyText),
      parent: link.parent?.sha256 ?? null,
      missingParent: link.missing,
      beforeParent: link.parent !== null && m.dateEpoch !== null && link.parent.dateEpoch !== null && m.dateEpoch < link.parent.dateEpoch,
      depth,
    });
    for (const c of children.get(m.sha256) ?? []) visit(c, Math.min(depth + 1, 12));
  };
  for (const r of roots) visit(r, 0);
  // A cycle of In-Reply-To (forged headers can make one) leaves messages unvisited: list them as roots.
  for (const m of sorted) visit(m, 0);
  const copies = sorted.filter((m) => m.messageId && firstWithId.get(m.messageId) !== m).length;
  return { focus, nodes, truncated, copies };
}
