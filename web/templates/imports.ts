// Import runs: progress of a running one, counts, and every failed or skipped input with its reason.
import type { RunWithFailures } from '../../src/store/runs-repo.ts';
import { html, type Html } from './html.ts';
import { fmtBytes, fmtCount } from './format.ts';
import { layout } from './layout.ts';

function progress(r: RunWithFailures): Html {
  if (r.status !== 'running') return html``;
  const total = r.bytesTotal ?? 0;
  const pct = total > 0 ? Math.min(100, (r.bytesRead / total) * 100) : null;
  return html`<p class="progress">
${pct === null ? html`<progress></progress>` : html`<progress value="${r.bytesRead}" max="${total}"></progress> ${pct.toFixed(1)} %`}
${fmtBytes(r.bytesRead)} of ${total ? fmtBytes(total) : 'unknown'} read, ${fmtCount(r.messagesSeen)} messages seen;
last update ${r.updatedAt ?? '—'}</p>`;
}

function failureList(r: RunWithFailures, short: boolean): Html {
  if (!r.failureTotal) return html`<p class="muted">No failed or skipped input.</p>`;
  const more = r.failureTotal - r.failureList.length;
  return html`<table class="failures"><thead><tr><th>kind</th><th>input</th><th>code</th><th>reason</th></tr></thead><tbody>
${r.failureList.map(
  (f) => html`<tr><td>${f.kind}</td><td class="path">${f.path}${f.offset !== null ? `#${f.offset}` : ''}
${f.sha256 ? html` <a href="/messages/${f.sha256}">message</a>` : ''}</td><td><code>${f.code}</code></td><td>${f.reason}</td></tr>`,
)}
</tbody></table>
${more > 0 ? html`<p class="muted">${fmtCount(more)} more — ${short ? html`<a href="/-/imports">see the imports page</a> or ` : ''}<a href="/-/imports.csv">download all as CSV</a>.</p>` : ''}`;
}

export function runsSection(runs: RunWithFailures[], short: boolean): Html {
  if (!runs.length) return html`<p class="muted">Nothing imported yet.</p>`;
  return html`${runs.map(
    (r) => html`<article class="run run-${r.status}">
<h3>Run ${r.id} · ${r.status} · started ${r.startedAt}${r.finishedAt ? html`, finished ${r.finishedAt}` : ''}</h3>
<p class="path">${r.inputs.join(', ')}</p>
${progress(r)}
<p>${fmtCount(r.messagesNew)} new messages of ${fmtCount(r.messagesSeen)} read, ${fmtCount(r.sourcesNew)} new locations,
${fmtCount(r.failures)} failures, ${fmtCount(r.skipped)} skipped · ${r.toolVersion} ·
<a href="/-/imports/${r.id}/manifest.json">manifest</a> (every message digest and their Merkle root)</p>
${r.error ? html`<p class="error">${r.error}</p>` : ''}
${failureList(r, short)}
</article>`,
  )}`;
}

export function importsPage(runs: RunWithFailures[], twins: { label: string; href: string }[]): Html {
  const running = runs.some((r) => r.status === 'running');
  return layout(
    { title: 'Imports', section: 'imports', twins, refresh: running ? 10 : undefined },
    html`<h1>Imports</h1>${runsSection(runs, false)}`,
  );
}
