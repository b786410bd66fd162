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

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules form a tree: a cycle makes a change ripple both ways.',
      from: {},
      to: { circular: true },
    },
    {
      name: 'mailparser-only-in-parse',
      severity: 'error',
      comment: 'The MIME parser has one adapter: src/parse.',
      from: { path: '^src/', pathNot: stage('parse') },
      to: { path: '(^|/)node_modules/(mailparser|@zone-eu/mailsplit|libmime|libqp|iconv-lite|html-to-text|nodemailer)/' },
    },
    {
      name: 'mailauth-only-in-verify',
      severity: 'error',
      comment: 'mailauth has one adapter: src/verify.',
      from: { path: '^src/', pathNot: stage('verify') },
      to: { path: '(^|/)node_modules/mailauth/' },
    },
    {
      name: 'sqlite-only-in-store',
      severity: 'error',
      comment: 'better-sqlite3 and SQL live in src/store only.',
      from: { path: '^(src|web)/', pathNot: stage('store') },
      to: { path: '(^|/)node_modules/better-sqlite3/' },
    },
    // Document readers (src/parse/document-metadata.ts): one adapter file per library.
    {
      name: 'fflate-only-in-zip-adapter',
      severity: 'error',
      comment: 'The zip library has one adapter: src/parse/zip-adapter.ts.',
      from: { path: '^src/', pathNot: '^src/parse/zip-adapter\\.ts$' },
      to: { path: '(^|/)node_modules/fflate/' },
    },
    {
      name: 'fast-xml-parser-only-in-xml-adapter',
      severity: 'error',
      comment: 'The XML parser has one adapter: src/parse/xml-adapter.ts.',
      from: { path: '^src/', pathNot: '^src/parse/xml-adapter\\.ts$' },
      to: { path: '(^|/)node_modules/fast-xml-parser/' },
    },
    {
      name: 'pdfjs-only-in-pdf-adapter',
      severity: 'error',
      comment: 'PDF.js has one adapter, run in its own worker: src/parse/pdf-adapter.ts.',
      from: { path: '^src/', pathNot: '^src/parse/pdf-adapter\\.ts$' },
      to: { path: '(^|/)node_modules/pdfjs-dist/' },
    },
    forbid(
      'import-is-first',
      stage('import'),
      '^src/(parse|verify|checks|verdict|store|pipeline|export|server)/|^src/cli',
      'Readers see bytes and the model only.',
    ),
    forbid(
      'parse-after-import',
      stage('parse'),
      '^src/(import|verify|checks|verdict|store|pipeline|export|server)/|^src/cli',
      'The parser sees bytes and the model only.',
    ),
    forbid(
      'verify-after-parse',
      stage('verify'),
      '^src/(import|checks|verdict|store|pipeline|export|server)/|^src/cli',
      'Verification reads parsed messages and keys.',
    ),
    forbid(
      'checks-see-the-model',
      stage('checks'),
      '^src/(import|parse|verify|verdict|store|pipeline|export|server)/|^src/cli',
      'A check is pure: it sees the model (and shared helpers) only.',
    ),
    forbid(
      'verdict-sees-findings',
      stage('verdict'),
      '^src/(import|parse|verify|store|pipeline|export|server)/|^src/cli',
      'The verdict is decided from findings only.',
    ),
    forbid(
      'store-below-pipeline',
      stage('store'),
      '^src/(import|parse|verify|checks|verdict|pipeline|export|server)/|^src/cli',
      'Repositories hand out the model; they do not call stages.',
    ),
    forbid(
      'export-reads-the-store',
      stage('export'),
      '^src/(import|parse|verify|checks|pipeline|server)/|^src/cli',
      'The export encodes what the store hands out.',
    ),
    forbid(
      'server-not-pipeline',
      '^(src/server|web)/',
      '^src/(import|pipeline)/|^src/cli',
      'The review server never reaches into the import pipeline.',
    ),
    forbid(
      'shared-is-a-leaf',
      stage('common'),
      '^src/(import|parse|verify|checks|verdict|store|pipeline|export|server)/|^src/cli|^web/',
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
