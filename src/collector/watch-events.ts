// One line of a watch stream, read: an event with its object projected, a bookmark, an in-stream
// ERROR, an object of another kind, or a line that is not an event at all. Pure: what the reflector
// does with each is its own.

import { displayKind, type KindName } from '../kube/kinds.ts';
import { normalize } from '../kube/read/normalize.ts';
import type { Sharing } from '../kube/read/sharing.ts';
import { stripUnreadFields } from '../kube/read/strip.ts';
import type { AnyObj } from '../kube/types.ts';
import { isRecord } from '../util/json.ts';
import { ofThisKind } from './list.ts';

export type WatchLine =
  | { t: 'malformed'; why: 'not JSON' | 'not an event' | 'unreadable object' | 'unknown type' }
  | { t: 'error'; code: number; message: string }
  | { t: 'alien'; got: string }
  | { t: 'bookmark'; rv: string | undefined; initialEventsEnd: boolean }
  | { t: 'event'; type: 'ADDED' | 'MODIFIED' | 'DELETED'; obj: AnyObj; rv: string | undefined };

export function readWatchLine(line: string, kind: KindName, sharing: Sharing): WatchLine {
  let parsed: unknown;
  try {
    parsed = JSON.parse(stripUnreadFields(line));
  } catch {
    return { t: 'malformed', why: 'not JSON' };
  }
  // Valid JSON that is not a watch event (null, a number, a list, an event without an object).
  const ev = isRecord(parsed) ? (parsed as { type?: unknown; object?: unknown }) : undefined;
  const obj = ev && isRecord(ev.object) ? ev.object : undefined;
  if (!ev || typeof ev.type !== 'string' || !obj) return { t: 'malformed', why: 'not an event' };
  if (ev.type === 'ERROR') {
    const code = Number(obj.code);
    return { t: 'error', code: Number.isFinite(code) ? code : 0, message: String(obj.message ?? '') };
  }
  if (ev.type !== 'BOOKMARK' && !ofThisKind(obj, kind)) return { t: 'alien', got: `${String(obj.apiVersion ?? '?').slice(0, 60)} ${String(obj.kind ?? '?').slice(0, 60)}` };
  const md = obj.metadata as { resourceVersion?: unknown; annotations?: unknown } | undefined;
  const rv = typeof md?.resourceVersion === 'string' ? md.resourceVersion : undefined;
  if (ev.type === 'BOOKMARK') {
    const ann = isRecord(md) ? md.annotations : undefined;
    return { t: 'bookmark', rv, initialEventsEnd: isRecord(ann) && ann['k8s.io/initial-events-end'] === 'true' };
  }
  if (ev.type !== 'ADDED' && ev.type !== 'MODIFIED' && ev.type !== 'DELETED') return { t: 'malformed', why: 'unknown type' };
  const n = normalize(obj, sharing, { kind: displayKind(kind) });
  if (!n.obj) return { t: 'malformed', why: 'unreadable object' };
  return { t: 'event', type: ev.type, obj: n.obj, rv };
}
