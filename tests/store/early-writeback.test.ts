import { afterAll, afterEach, describe, expect, it, vi } from 'vitest';
import fs from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EarlyWriteback, WRITEBACK_BYTES } from '../../src/store/early-writeback.ts';

const dir = fs.mkdtempSync(join(tmpdir(), 'lt-writeback-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

/** A file to sync, and fs.fdatasync held: each call waits until the test finishes it (`finish(i)`). */
function held(name: string): { file: string; calls: { fd: number; finish: (error?: Error) => void }[] } {
  const file = join(dir, name);
  fs.writeFileSync(file, 'pages');
  const calls: { fd: number; finish: (error?: Error) => void }[] = [];
  vi.spyOn(fs, 'fdatasync').mockImplementation(((fd: number, done: (error: NodeJS.ErrnoException | null) => void) => {
    calls.push({ fd, finish: (error) => done(error ?? null) });
  }) as typeof fs.fdatasync);
  return { file, calls };
}

/** Lets the callbacks and promises settle. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('early writeback of an import through a rollback journal', () => {
  it('asks for a sync each time SQLite was handed its share more, one at a time, on the database file', async () => {
    const { file, calls } = held('a.sqlite');
    const w = new EarlyWriteback(file, 100);
    w.wrote(60);
    expect(calls).toHaveLength(0);
    w.wrote(40);
    expect(calls).toHaveLength(1);
    expect(fs.fstatSync(calls[0]!.fd).ino).toBe(fs.statSync(file).ino);
    // None while one is under way, however much is written meanwhile; what was, counts for the next.
    w.wrote(500);
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    await settle();
    w.wrote(1);
    expect(calls).toHaveLength(2);
    expect(calls[1]!.fd).toBe(calls[0]!.fd);
    calls[1]!.finish();
    await settle();
    w.wrote(99);
    expect(calls).toHaveLength(2);
    w.wrote(1);
    expect(calls).toHaveLength(3);
    calls[2]!.finish();
    await w.end(() => true);
  });

  it('by default, every 16 MB', () => {
    const { file, calls } = held('b.sqlite');
    const w = new EarlyWriteback(file);
    w.wrote(WRITEBACK_BYTES - 1);
    expect(calls).toHaveLength(0);
    w.wrote(1);
    expect(calls).toHaveLength(1);
    calls[0]!.finish();
    return w.end(() => true);
  });

  it('ends after the sync under way, closing the file only when it may', async () => {
    const { file, calls } = held('c.sqlite');
    const close = vi.spyOn(fs, 'closeSync');
    const w = new EarlyWriteback(file, 10);
    w.wrote(10);
    let ended = false;
    const end = w.end(() => true).then(() => (ended = true));
    await settle();
    expect(ended).toBe(false);
    expect(close).not.toHaveBeenCalled();
    calls[0]!.finish();
    await end;
    expect(close).toHaveBeenCalledWith(calls[0]!.fd);
    // Ended: no sync is asked for again.
    w.wrote(1000);
    expect(calls).toHaveLength(1);

    // A transaction open in this process: its locks would go with the descriptor, which stays open.
    const kept = new EarlyWriteback(file, 10);
    kept.wrote(10);
    calls[1]!.finish();
    close.mockClear();
    await kept.end(() => false);
    expect(close).not.toHaveBeenCalled();
    expect(() => fs.fstatSync(calls[1]!.fd)).not.toThrow();
    fs.closeSync(calls[1]!.fd);
  });

  it('stops asking after a failed sync or a file it cannot open, and never throws', async () => {
    const { file, calls } = held('d.sqlite');
    const w = new EarlyWriteback(file, 10);
    w.wrote(10);
    calls[0]!.finish(new Error('EIO'));
    await settle();
    w.wrote(100);
    expect(calls).toHaveLength(1);
    await w.end(() => true);

    const missing = new EarlyWriteback(join(dir, 'no-such.sqlite'), 10);
    expect(() => missing.wrote(10)).not.toThrow();
    missing.wrote(10);
    expect(calls).toHaveLength(1);
    await missing.end(() => true);
  });

  it('ends at once when nothing was written', async () => {
    const close = vi.spyOn(fs, 'closeSync');
    await new EarlyWriteback(join(dir, 'e.sqlite')).end(() => true);
    expect(close).not.toHaveBeenCalled();
  });
});
