#!/usr/bin/env -S MALLOC_ARENA_MAX=2 GLIBC_TUNABLES=glibc.malloc.hugetlb=1:glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=33554432 node --max-semi-space-size=16
// Entry point of the `leaktriage` command. The code is TypeScript run by Node 24's type stripping,
// so there is no build step; older Node versions cannot load it (nor better-sqlite3 13).
//
// The first line gives Node two memory settings that only a process's start can set (bench/fuzz.ts
// and bench/run-bench.ts read them from there, so that they measure the command as it runs):
// - --max-semi-space-size=16: the main thread's young generation at most 32 MB. Left to itself, V8
//   grew it to 128 MB on this 24 GB machine under the fuzzer's load. With 16 MB (8 here), the
//   objects of the messages it was writing outlived its scavenges: over 100,000 small messages
//   (trace-gc) 409-415 scavenges took 2.3-3.1 s and 17 full collections followed, against 152-155
//   scavenges in 0.63-0.66 s and one with 32 MB; the import took 32.6-33.5 s against 34.3 s (two
//   alternated pairs), the mixed dump of `npm run bench` 15.8-17.6 s against 16.0-17.9 (three),
//   peak RSS no higher. The threads have limits of their own (src/common/start-thread.ts makes
//   this flag leave them alone).
// - MALLOC_ARENA_MAX=2: glibc's allocator keeps two arenas, not one per thread (up to eight per
//   core), each holding on to the memory freed in it. Ignored by other C libraries.
// `npm run fuzz`: peak 890 MB without them, 727-743 MB with them (two workers); 1,004 and 864 MB with
// three, the most an import runs (MAX_WORKERS). The mixed dump of `npm run bench` took the same time
// with them (two alternated pairs).
// - GLIBC_TUNABLES=glibc.malloc.hugetlb=1: glibc's allocator asks the kernel for transparent huge
//   pages (madvise) for the memory it takes from the system, where the kernel allows them (its
//   setting `madvise` or `always`). On this VM the first touch of a 4 KiB page costs 15-20 µs
//   (against 0.27 µs per 4 KiB within a huge page), and an import of the mixed dump took
//   92,000-106,000 such faults: SQLite's copies of each message into the blobs it binds and the
//   records it builds, the full-text index's hash table, the decoded attachments. With it, about
//   60,000; the mixed dump took 16.3-17.3 s against 16.2-18.7 (median 16.7 against 17.6, five
//   alternated pairs, four won), 3.8-3.9 s of kernel time against 3.9-4.8; the store floor
//   13,000-14,000 faults against 56,000-86,000. Peak RSS the same (369-380 MB against 370-382);
//   `npm run fuzz -- --workers 3 --scale 2` 960 and 989 MB, against 963 and 1,029 MB without it.
//   Replaces a GLIBC_TUNABLES of the caller's; older C libraries ignore the names.
// - glibc.malloc.mmap_threshold=4194304 and glibc.malloc.trim_threshold=33554432: a block of 4 MiB
//   or more (a hostile message's bytes bound into SQLite, its canonical body, a decoded attachment)
//   is mapped on its own and given back to the system when freed; the free memory at the top of an
//   arena is given back past 32 MiB. Left to itself, glibc raises the first threshold to the largest
//   block freed so far (up to 32 MiB) and the second to twice that, so after one large message such
//   blocks came from the arenas, and the holes they left stayed resident: in `npm run fuzz --
//   --workers 3 --seed 4 --scale 6`, malloc_info showed 54-202 MB free inside the arenas (three
//   moments of a run), and the peak was 996-1,055 MB (five runs, 2026-12-06). With both, 886-931 MB
//   (five), at a tenth more of the analysis threads' CPU on those hostile messages, whose large
//   blocks are now mapped afresh each time. Messages under about 3 MB make no blocks that large:
//   the mixed dump of `npm run bench` (up to 2.0 MB a message) took 17.4 and 17.8 s against 17.7
//   and 17.3 (alternated pairs). A threshold of 1 MiB, or a trim threshold of 8 MiB, made the fuzz
//   run's analysis 20-30 % slower (each block mapped afresh costs the first touch of each of its
//   pages).
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `leaktriage needs Node 24 or newer (this is ${process.version}). ` +
      'Run it through npm (`npx leaktriage ...`), which uses the Node 24 installed by `npm ci`.\n',
  );
  process.exit(1);
}
// Node's compile cache of the tool's own code, before the code is loaded (src/common/compile-cache.ts).
const { enableOwnCompileCache } = await import('../src/common/compile-cache.ts');
enableOwnCompileCache();
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
