#!/usr/bin/env -S MALLOC_ARENA_MAX=2 node --max-semi-space-size=16
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
const major = Number(process.versions.node.split('.')[0]);
if (major < 24) {
  process.stderr.write(
    `leaktriage needs Node 24 or newer (this is ${process.version}). ` +
      'Run it through npm (`npx leaktriage ...`), which uses the Node 24 installed by `npm ci`.\n',
  );
  process.exit(1);
}
const { main } = await import('../src/cli.ts');
process.exitCode = await main(process.argv.slice(2));
