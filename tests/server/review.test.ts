// Recording decisions: stored with who, when and why; history kept and shown; the queue moves on.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cookiesOf, csrfFrom, seededApp, type TestApp } from './app-helpers.ts';

let t: TestApp;
let cookie: string;
let csrf: string;
beforeAll(async () => {
  t = await seededApp();
  const page = await t.app.inject(`/messages/${t.ids.tampered}`);
  cookie = cookiesOf(page);
  csrf = csrfFrom(page.body);
});
afterAll(() => t.app.close());

function post(sha: string, fields: Record<string, string>) {
  return t.app.inject({
    method: 'POST',
    url: `/messages/${sha}/reviews`,
    headers: { 'content-type': 'application/x-www-form-urlencoded', cookie },
    payload: new URLSearchParams({ _csrf: csrf, ...fields }).toString(),
  });
}

function reviews(sha: string) {
  return t.db.prepare('SELECT decision, verdict, note, reviewer FROM reviews WHERE sha256 = ? ORDER BY id').all(sha);
}

describe('POST /messages/{sha256}/reviews', () => {
  it('a confirmation stores the machine verdict and returns to the message', async () => {
    const res = await post(t.ids.tampered, { decision: 'confirm', reviewer: ' Ana Lima ', note: 'checked the key' });
    expect(res.statusCode).toBe(303);
    const id = (t.db.prepare('SELECT max(id) AS id FROM reviews').get() as { id: number }).id;
    expect(res.headers.location).toBe(`/messages/${t.ids.tampered}?_recorded=${id}#recorded`);
    const page = (await t.app.inject({ url: res.headers.location as string, headers: { cookie } })).body;
    expect(page).toContain('id="recorded"');
    expect(page).toMatch(
      /Recorded: <strong>Ana Lima<\/strong> confirmed <span class="badge v-tampered">tampered<\/span> for this message\. Next in the queue: <a rel="next"/,
    );
    expect(String(res.headers['set-cookie'])).toContain('lt_reviewer=Ana%20Lima; Path=/; HttpOnly; SameSite=Strict');
    expect(reviews(t.ids.tampered)).toEqual([{ decision: 'confirm', verdict: 'tampered', note: 'checked the key', reviewer: 'Ana Lima' }]);
  });

  it('an override keeps the earlier decision and is shown first in the history', async () => {
    await post(t.ids.tampered, { decision: 'override', verdict: 'suspicious', note: 'a mailing list rewrote the footer', reviewer: 'Ben' });
    expect(reviews(t.ids.tampered)).toHaveLength(2);
    const html = (await t.app.inject({ url: `/messages/${t.ids.tampered}`, headers: { cookie: `${cookie}; lt_reviewer=Ben` } })).body;
    const history = html.slice(html.indexOf('class="history"'), html.indexOf('</ol>', html.indexOf('class="history"')));
    expect(history.indexOf('Ben')).toBeLessThan(history.indexOf('Ana Lima'));
    expect(history).toContain('overrode to');
    expect(html).toContain('id="reviewer" required maxlength="100" value="Ben"');
    const row = (await t.app.inject('/messages.json?reviewed=yes')).json().rows[0];
    expect(row).toMatchObject({ sha256: t.ids.tampered, review: { verdict: 'suspicious', decision: 'override', reviewer: 'Ben' } });
    const overview = (await t.app.inject('/.json')).json();
    expect(overview.reviewed).toMatchObject({ total: 1, changed: 1 });
    expect(overview.final).toMatchObject({ tampered: 1, suspicious: 3 });
  });

  it('with _then=next, goes on to the next message of the same queue', async () => {
    const res = await post(t.ids.verified, {
      decision: 'confirm',
      reviewer: 'Ana',
      _queue: 'verdict=verified&verdict=tampered&bogus=1',
      _then: 'next',
    });
    expect(res.statusCode).toBe(303);
    const next = (await t.app.inject(`/messages/${t.ids.verified}.json?verdict=verified&verdict=tampered`)).json().queue.next;
    const id = (t.db.prepare('SELECT max(id) AS id FROM reviews').get() as { id: number }).id;
    expect(res.headers.location).toBe(`/messages/${next}?verdict=verified&verdict=tampered&_recorded=${id}#recorded`);
    const page = (await t.app.inject({ url: res.headers.location as string, headers: { cookie } })).body;
    expect(page).toContain(
      `Recorded: <strong>Ana</strong> confirmed <span class="badge v-verified">verified</span> for <a href="/messages/${t.ids.verified}?verdict=verified&amp;verdict=tampered">Quarterly budget</a>. Below is the next message of the queue.`,
    );
  });

  it('the queue context cannot steer the redirect elsewhere', async () => {
    const res = await post(t.ids.suspicious, {
      decision: 'confirm',
      reviewer: 'Ana',
      _queue: '//evil.example/x?verdict=<script>&domain=a%0d%0aSet-Cookie:x',
    });
    expect(res.headers.location).toMatch(
      new RegExp(`^/messages/${t.ids.suspicious}\\?domain=a%0D%0ASet-Cookie%3Ax&_recorded=\\d+#recorded$`),
    );
  });

  it('answers JSON to a JSON post', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/messages/${t.ids.unverifiable}/reviews`,
      headers: { cookie, 'x-csrf-token': csrf },
      payload: { decision: 'override', verdict: 'suspicious', note: 'sent from a look-alike', reviewer: 'api' },
    });
    expect(res.statusCode).toBe(201);
    expect(res.json()).toMatchObject({
      ok: true,
      review: { sha256: t.ids.unverifiable, decision: 'override', verdict: 'suspicious', reviewer: 'api' },
    });
  });

  it('the export carries the latest decision', async () => {
    const json = (await t.app.inject('/-/export.json?reviewed=yes')).json();
    const row = json.rows.find((r: { sha256: string }) => r.sha256 === t.ids.tampered);
    expect(row).toMatchObject({ review_decision: 'override', review_verdict: 'suspicious', reviewer: 'Ben', final_verdict: 'suspicious' });
  });
});
