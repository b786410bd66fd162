// The frame of every page: navigation, the links to the page's data twins, the one script.
import { html, type Html } from './html.ts';

export interface PageOptions {
  title: string;
  /** Which navigation entry is current. */
  section: 'overview' | 'queue' | 'message' | 'thread' | 'keys' | 'imports' | 'checks' | 'error';
  /** Links to this page's .json / .csv twins. */
  twins?: { label: string; href: string }[];
  /** data-* attributes on <body> read by review.js (next/prev/raw URLs). */
  data?: Record<string, string | null>;
  /** Seconds after which the page reloads itself (while an import runs). */
  refresh?: number;
}

const NAV: [PageOptions['section'], string, string][] = [
  ['overview', '/', 'Overview'],
  ['queue', '/messages', 'Queue'],
  ['keys', '/-/keys', 'Keys'],
  ['imports', '/-/imports', 'Imports'],
  ['checks', '/-/checks', 'Checks'],
];

export function layout(opts: PageOptions, body: Html): Html {
  const data = Object.entries(opts.data ?? {})
    .filter((e): e is [string, string] => e[1] !== null)
    .map(([k, v]) => html` data-${k.replace(/[^a-z-]/g, '')}="${v}"`);
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="same-origin">
${opts.refresh ? html`<meta http-equiv="refresh" content="${opts.refresh}">` : ''}
<title>${opts.title} · leaktriage</title>
<link rel="icon" href="data:,">
<link rel="stylesheet" href="/-/static/style.css">
</head>
<body data-page="${opts.section}"${data}>
<header class="top">
  <a class="brand" href="/">leaktriage</a>
  <nav>${NAV.map(([id, href, label]) => html`<a href="${href}"${id === opts.section ? html` aria-current="page"` : ''}>${label}</a>`)}</nav>
  <span class="twins">${(opts.twins ?? []).map((t) => html`<a href="${t.href}">${t.label}</a>`)}</span>
</header>
<main>
${body}
</main>
<footer><kbd>?</kbd> keyboard shortcuts · every value on these pages comes from the dump: treat it as hostile</footer>
<div id="help" class="help" hidden>
  <h2>Keyboard</h2>
  <dl>
    <dt><kbd>j</kbd> / <kbd>k</kbd></dt><dd>next / previous message in the queue</dd>
    <dt><kbd>Enter</kbd></dt><dd>open the selected message (queue)</dd>
    <dt><kbd>c</kbd></dt><dd>confirm the machine verdict (message page)</dd>
    <dt><kbd>o</kbd></dt><dd>override: choose a verdict and write a note</dd>
    <dt><kbd>r</kbd></dt><dd>download the raw .eml</dd>
    <dt><kbd>u</kbd></dt><dd>back to the queue</dd>
    <dt><kbd>/</kbd></dt><dd>search</dd>
  </dl>
</div>
<script src="/-/static/review.js"></script>
</body>
</html>
`;
}
