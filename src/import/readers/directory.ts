// Walks the paths given on the command line: folders recursively in sorted order, maildirs by
// their layout, symbolic links followed once. Loops, missing and unreadable paths, FIFOs and
// devices become records; the walk itself never throws for bad input. measureInputs and
// readInputs share this walk, so progress and the measured total agree. Its system calls are
// synchronous (see chunks.ts: through the thread pool each cost some 30 times more CPU).
// A file that its folder's listing says is a regular file is not examined with lstat: the reader
// opens it anyway and examines the open file (disk-file.ts), which also catches a file swapped for
// something else in between. lstat was about a tenth of the reader thread's time on small files.

import type { Dirent, Stats } from 'node:fs';
import { lstatSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { basename, resolve, sep } from 'node:path';
import type { InputItem } from '../../model.ts';
import type { Limits } from '../limits.ts';
import { describeSystemError, failure, isSystemError, joinLabel, skipped } from './context.ts';

/** A kind of folder with a layout of its own (maildir); any other folder is a plain tree. */
export interface FolderFormat {
  kind: string;
  matches(label: string, names: readonly string[]): Promise<boolean>;
  /** Sub-folders whose files are messages of this folder, e.g. cur and new. */
  messageFolders: readonly string[];
  /** Sub-folders whose files are recorded as skipped and not read. */
  ignoredFolders: Readonly<Record<string, { code: string; reason: string }>>;
}

/** Where a file's messages belong (SourceRef.folder / mailbox), or why it is not read. */
export interface Place {
  folder: string | null;
  mailbox: string | null;
  ignore: { code: string; reason: string } | null;
}

/**
 * A file to read (`size` null: not examined yet, its folder's listing says it is a regular file; the
 * reader takes its size from the open file), or a record.
 */
export type WalkEvent = { kind: 'file'; path: string; size: number | null; place: Place } | { kind: 'item'; item: InputItem };

interface WalkState {
  limits: Limits;
  formats: readonly FolderFormat[];
  /** Real paths of the input folders: a link into them is read where it points, not twice. */
  roots: string[];
  /** dev:ino of every folder walked, and of the ones on the current branch (loop detection). */
  seen: Map<string, string>;
  branch: Map<string, string>;
}

export async function* walkInputs(paths: readonly string[], limits: Limits, formats: readonly FolderFormat[]): AsyncGenerator<WalkEvent> {
  const roots: string[] = [];
  for (const path of paths) {
    if (path.includes('\0')) continue;
    const real = attempt(() => realpathSync(path));
    if (real && attempt(() => statSync(real))?.isDirectory()) roots.push(real);
  }
  const state: WalkState = { limits, formats, roots, seen: new Map(), branch: new Map() };
  for (const path of paths) {
    // Node refuses such a path with a TypeError; for us it is a path that cannot exist.
    if (path.includes('\0')) {
      yield item(failure(path, 'input/not-found', 'the path contains a NUL byte, so no such file can exist'));
      continue;
    }
    yield* walkPath(path, givenFolderName(path), { folder: null, mailbox: null, ignore: null }, 0, true, state);
  }
}

/**
 * The folder name of the files directly inside a folder given on the command line: the path as
 * given (like a maildir's mailbox), `.` and `..` by their own names. Sub-folders add their relative
 * path to it, so the folders of two imported trees never merge under one name.
 */
function givenFolderName(path: string): string {
  const trimmed = path.length > 1 ? path.replace(/[\\/]+$/, '') : path;
  return trimmed === '.' || trimmed === '..' || trimmed === '' ? basename(resolve(path)) || sep : trimmed;
}

function item(value: InputItem): WalkEvent {
  return { kind: 'item', item: value };
}

async function* walkPath(
  label: string,
  rel: string,
  place: Place,
  depth: number,
  given: boolean,
  state: WalkState,
): AsyncGenerator<WalkEvent> {
  let link: Stats;
  let info: Stats;
  try {
    link = lstatSync(label);
  } catch (error) {
    if (!isSystemError(error)) throw error;
    yield item(describeStatError(label, error, false));
    return;
  }
  try {
    info = link.isSymbolicLink() ? statSync(label) : link;
  } catch (error) {
    if (!isSystemError(error)) throw error;
    yield item(describeStatError(label, error, true));
    return;
  }
  if (link.isSymbolicLink() && !given) {
    const loop = info.isDirectory() ? state.branch.get(key(info)) : undefined;
    if (loop !== undefined) {
      yield item(failure(label, 'input/symlink-loop', `the symbolic link leads back to ${loop}, a folder that contains it`));
      return;
    }
    const target = attempt(() => realpathSync(label));
    if (target && state.roots.some((root) => isInside(target, root))) {
      yield item(skipped(label, 'input/duplicate-link', `a symbolic link to ${target}, which is read where it lies`));
      return;
    }
  }
  if (info.isDirectory()) {
    yield* walkFolder(label, rel, info, depth, state);
  } else if (info.isFile()) {
    yield { kind: 'file', path: label, size: info.size, place };
  } else {
    yield item(skipped(label, 'input/not-a-file', `${describeKind(info)}, not a regular file: not read`));
  }
}

async function* walkFolder(label: string, rel: string, info: Stats, depth: number, state: WalkState): AsyncGenerator<WalkEvent> {
  const id = key(info);
  const earlier = state.seen.get(id);
  if (earlier !== undefined) {
    const code = state.branch.has(id) ? 'input/symlink-loop' : 'input/already-read';
    yield item(
      code === 'input/symlink-loop'
        ? failure(label, code, `this folder is ${earlier}, which contains it: following it would never end`)
        : skipped(label, code, `the same folder was already read as ${earlier}`),
    );
    return;
  }
  if (depth > state.limits.maxDirectoryDepth) {
    yield item(failure(label, 'input/too-deep', `folders nested more than ${state.limits.maxDirectoryDepth} deep are not read`));
    return;
  }
  const entries = listFolder(label);
  if (!Array.isArray(entries)) {
    yield entries;
    return;
  }
  const names = entries.map((e) => e.name);
  state.seen.set(id, label);
  state.branch.set(id, label);
  try {
    let format: FolderFormat | null = null;
    for (const candidate of state.formats) {
      if (await candidate.matches(label, names)) {
        format = candidate;
        break;
      }
    }
    for (const entry of entries) {
      const name = entry.name;
      const child = joinLabel(label, name);
      const childRel = `${rel}/${name}`;
      const ignore = format?.ignoredFolders[name];
      if (format && (ignore || format.messageFolders.includes(name))) {
        // Files of cur/new belong to this maildir; the walk of the sub-folder keeps that place.
        const inner: Place = { folder: name, mailbox: label, ignore: ignore ?? null };
        yield* walkMailFolder(child, childRel, inner, depth + 1, state);
      } else {
        const place: Place = { folder: rel, mailbox: null, ignore: null };
        const file = listedFile(entry, child, place);
        if (file) yield file;
        else yield* walkPath(child, childRel, place, depth + 1, false, state);
      }
    }
  } finally {
    state.branch.delete(id);
  }
}

/** The entries of a folder sorted by name, or the failure record of a folder that cannot be listed. */
function listFolder(label: string): Dirent[] | WalkEvent {
  try {
    // By UTF-16 code units, as sort() orders the names themselves.
    return readdirSync(label, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  } catch (error) {
    if (!isSystemError(error)) throw error;
    return item(failure(label, 'input/unreadable', `the folder cannot be listed: ${describeSystemError(error)}`));
  }
}

async function* walkMailFolder(label: string, rel: string, place: Place, depth: number, state: WalkState): AsyncGenerator<WalkEvent> {
  const entries = listFolder(label);
  if (!Array.isArray(entries)) {
    yield entries;
    return;
  }
  for (const entry of entries) {
    const child = joinLabel(label, entry.name);
    const file = listedFile(entry, child, place);
    if (file) yield file;
    else yield* walkPath(child, `${rel}/${entry.name}`, place, depth + 1, false, state);
  }
}

/**
 * A folder's entry that its listing says is a regular file to be read: handed on without lstat.
 * Null for anything else, which walkPath examines: folders, links, other kinds, entries whose kind
 * the file system does not list, and files whose place is ignored (their size, which the progress
 * counts, is read there).
 */
function listedFile(entry: Dirent, label: string, place: Place): WalkEvent | null {
  return entry.isFile() && place.ignore === null ? { kind: 'file', path: label, size: null, place } : null;
}

/** The value, or null when the call fails (the walk reports such paths where it reaches them). */
export function attempt<T>(call: () => T): T | null {
  try {
    return call();
  } catch {
    return null;
  }
}

function key(info: Stats): string {
  return `${info.dev}:${info.ino}`;
}

function isInside(path: string, root: string): boolean {
  return path === root || path.startsWith(root.endsWith(sep) ? root : root + sep);
}

/** The record of a path that lstat or stat cannot examine (`viaLink`: stat, through a symbolic link). */
export function describeStatError(label: string, error: NodeJS.ErrnoException, viaLink: boolean): InputItem {
  switch (error.code) {
    case 'ENOENT':
    case 'ENOTDIR':
      return failure(
        label,
        'input/not-found',
        viaLink ? 'the symbolic link points to a path that does not exist' : 'no such file or folder',
      );
    case 'ELOOP':
      return failure(label, 'input/symlink-loop', 'the symbolic link points to itself, or to a chain of links that never ends');
    default:
      return failure(label, 'input/unreadable', `cannot be examined: ${describeSystemError(error)}`);
  }
}

function describeKind(info: Stats): string {
  if (info.isFIFO()) return 'a named pipe (FIFO)';
  if (info.isSocket()) return 'a socket';
  if (info.isCharacterDevice()) return 'a character device';
  if (info.isBlockDevice()) return 'a block device';
  return 'not a regular file';
}
