// The page a browser gets when a request fails: what went wrong in a sentence, and where to go next.
// The .json URLs (and API clients) get the error shape instead (src/server/errors.ts).
import { html, type Html } from './html.ts';
import { layout } from './layout.ts';

export interface ErrorPageData {
  status: number;
  code: string;
  message: string;
  /** Links that help from here (back to the message, the queue without the bad filter…). */
  next: { label: string; href: string }[];
}

const TITLES: Record<number, string> = {
  400: 'This address cannot be shown',
  401: 'An access token is needed',
  403: 'Refused',
  404: 'Not found',
  413: 'Too large',
  414: 'The address is too long',
  415: 'Unsupported content',
  500: 'Something went wrong on the server',
};

export function errorPage(e: ErrorPageData): Html {
  const title = TITLES[e.status] ?? (e.status >= 500 ? TITLES[500] : 'The request failed');
  const body = html`<section class="error-page">
<h1>${title}</h1>
<p class="error-message">${e.message}</p>
<p class="muted">HTTP ${e.status} · <code>${e.code}</code></p>
<ul class="next">${e.next.map((n) => html`<li><a href="${n.href}">${n.label}</a></li>`)}</ul>
</section>`;
  return layout({ title: title ?? 'Error', section: 'error' }, body);
}
