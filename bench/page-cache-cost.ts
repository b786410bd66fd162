// What writing into the page cache costs this machine (not a test): the import stores every byte
// of a dump through it, and on some virtual machines memory the guest has left unused for a while
// costs far more to touch again than memory it freed a moment ago (the host takes it back and must
// hand it over again). This writes files 16 KiB at a time, as SQLite writes its pages: two new
// files one after the other (the kernel takes whatever free memory it has for them), the second
// again over its cached pages, then a third new file just after the first two are deleted (whose
// pages it may reuse); it prints the time and the CPU seconds of each, and of those the kernel's.
// Where a new file costs many times what the last one does, imports on this machine vary with the
// hour (bench/RESULTS.md): what the page cache gets depends on what was freed, and when.
//   node bench/page-cache-cost.ts [--mib 4096] [--dir /tmp]   (writes twice that, and needs it free on
// disk; --dir on the file system the database will be on: a tmpfs has no disk behind its pages)
import { closeSync, mkdtempSync, openSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { PAGE_SIZE } from '../src/store/database.ts';

const { values } = parseArgs({ options: { mib: { type: 'string', default: '4096' }, dir: { type: 'string', default: tmpdir() } } });
const MIB = Number(values.mib);
if (!Number.isInteger(MIB) || MIB <= 0) {
  console.error('--mib takes a whole number of MiB above 0');
  process.exit(2);
}
const page = Buffer.alloc(PAGE_SIZE, 0x61);
const pages = (MIB * 1024 * 1024) / PAGE_SIZE;

function write(file: string, flags: 'w' | 'r+', label: string): void {
  const fd = openSync(file, flags);
  const cpu = process.cpuUsage();
  const started = performance.now();
  try {
    for (let i = 0; i < pages; i++) writeSync(fd, page, 0, PAGE_SIZE, i * PAGE_SIZE);
  } finally {
    closeSync(fd);
  }
  const secs = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  console.log(
    `${label.padEnd(44)} ${secs.toFixed(2)} s, ${(MIB / secs).toFixed(0)} MiB/s, CPU ${((used.user + used.system) / 1e6).toFixed(2)} s (kernel ${(used.system / 1e6).toFixed(2)} s)`,
  );
}

let dir: string;
try {
  dir = mkdtempSync(join(values.dir, 'lt-page-cache-'));
} catch (err) {
  console.error(`cannot make a scratch directory in ${values.dir}: ${(err as Error).message}`);
  process.exit(2);
}
try {
  const first = join(dir, 'first');
  const second = join(dir, 'second');
  const third = join(dir, 'third');
  console.log(`${MIB} MiB a file, in pages of ${PAGE_SIZE} bytes, in ${dir}`);
  write(first, 'w', 'a new file');
  write(second, 'w', 'a second new file');
  write(second, 'r+', 'the second again (its pages cached)');
  rmSync(first);
  rmSync(second);
  write(third, 'w', 'a new file, just after both were deleted');
} finally {
  rmSync(dir, { recursive: true, force: true });
}
