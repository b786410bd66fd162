#!/usr/bin/env node
// Entry point of the `leaktriage` command. The code is TypeScript run by Node 24's type stripping,
// so there is no build step; older Node versions cannot load it (nor better-sqlite3 13).
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
