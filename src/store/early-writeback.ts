// The disk writes of an import through a rollback journal (database.ts, leaveWal), started before
// its commits. SQLite hands the pages a batch writes to the kernel as it goes (when its page cache
// spills) and at commit; the kernel keeps them in memory and writes them to the disk only when the
// commit's sync asks (it writes on its own only after about 30 s, or past gigabytes of them). So
// every commit of the mixed dump of `npm run bench` (about 68 MB) held the main thread 70-120 ms,
// 3.4 s of its 16 s in all, while it could neither hand messages to the analysis workers nor write
// their answers; they ran out of work, and the two cores were 82-88 % busy in the messages phase.
// Here a sync of the database file is asked for on a thread of libuv's pool each time SQLite has
// been handed about WRITEBACK_BYTES more, one at a time: the kernel writes while the import goes on,
// and the commit's own sync finds little left. The commits took 2.3 s in all; in six alternated
// pairs (2026-12-05) the cores were 91-94 % busy, and the import took 15.7-16.2 s against
// 16.3-17.0 s (three pairs) and 13.7-14.6 s against 14.4-15.7 s (three, in a faster hour).
// SQLite's own syncs at each commit are unchanged: this adds writes to the disk earlier, never
// removes one, and only of pages SQLite has already handed to the kernel (which may write them at
// any time anyway), so what a commit guarantees after a crash or a power cut is the same.
import fs from 'node:fs';

/** Bytes SQLite is handed between two syncs (one runs at a time). */
export const WRITEBACK_BYTES = 16 * 1024 * 1024;

export class EarlyWriteback {
  private readonly file: string;
  private readonly every: number;
  private fd: number | null = null;
  private unsynced = 0;
  private running: Promise<void> | null = null;
  /** A sync or the opening failed, or end() was called: none is asked for again. */
  private stopped = false;

  constructor(file: string, every = WRITEBACK_BYTES) {
    this.file = file;
    this.every = every;
  }

  /** SQLite was handed about `bytes` more of the database: past `every` since the last sync, one is asked for. */
  wrote(bytes: number): void {
    this.unsynced += bytes;
    if (this.unsynced < this.every || this.running !== null || this.stopped) return;
    this.unsynced = 0;
    try {
      // Read-only: this descriptor never writes; a sync through it writes the file's pages all the same.
      this.fd ??= fs.openSync(this.file, 'r');
    } catch {
      this.stopped = true;
      return;
    }
    this.running = new Promise((resolve) =>
      fs.fdatasync(this.fd!, (error) => {
        // SQLite's own syncs still make each commit durable: a failed early one only stops these.
        if (error) this.stopped = true;
        this.running = null;
        resolve();
      }),
    );
  }

  /**
   * Waits for the sync under way, then closes the descriptor if `mayClose`. Closing any descriptor of
   * a file drops every POSIX lock this process holds on it, SQLite's too (SQLite only keeps its own
   * descriptors from doing so): the caller says whether none is held, that is, whether no
   * transaction is open on the file in this process. Otherwise the descriptor stays open until the
   * process ends.
   */
  async end(mayClose: () => boolean): Promise<void> {
    this.stopped = true;
    await this.running;
    if (this.fd !== null && mayClose()) {
      fs.closeSync(this.fd);
      this.fd = null;
    }
  }
}
