// The thread view: who answered whom, from Message-ID / In-Reply-To / References, with verdicts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedThread, type ThreadIds } from '../helpers/review-corpus.ts';
import { excerptOf } from '../../src/server/thread-view.ts';
import { seededApp, type TestApp } from './app-helpers.ts';

let t: TestApp;
let th: ThreadIds;
beforeAll(async () => {
  t = await seededApp();
  th = seedThread(t.db);
});
afterAll(() => t.app.close());

describe('/messages/{sha256}/thread', () => {
  it('finds the whole conversation from any of its messages, and links every reply to what it answers', async () => {
    const ids = async (from: string) =>
      (await t.app.inject(`/messages/${from}/thread.json`))
        .json()
        .nodes.map((n: { message: { sha256: string } }) => n.message.sha256)
        .sort();
    for (const from of [th.root, th.forged]) expect(await ids(from), from).toEqual([th.root, th.reply, th.forged, th.copy].sort());
    // A reply to a message the dump lacks names the thread only in References, which has no index:
    // it is found from itself (and its ancestors then), not from the root.
    expect(await ids(th.orphan)).toEqual([th.root, th.reply, th.forged, th.orphan, th.copy].sort());
    const v = (await t.app.inject(`/messages/${th.orphan}/thread.json`)).json();
    const node = (sha: string) => v.nodes.find((n: { message: { sha256: string } }) => n.message.sha256 === sha);
    expect(v.nodes[0].message.sha256).toBe(th.root);
    expect(node(th.root)).toMatchObject({ parent: null, missingParent: null, depth: 0 });
    const replyCopy = [th.reply, th.copy].sort()[0] as string;
    expect(node(th.reply)).toMatchObject({ parent: th.root, depth: 1, excerpt: 'Fine by me, I will bring the minutes.' });
    expect(node(th.copy)).toMatchObject({ parent: th.root, depth: 1 });
    expect(node(th.forged)).toMatchObject({ parent: replyCopy, depth: 2, beforeParent: true });
    expect(node(th.orphan)).toMatchObject({ parent: th.root, missingParent: '<lost@example.org>' });
    expect(v.copies).toBe(1);
  });

  it('shows verdicts, authors, times and the answered message on the page', async () => {
    const res = await t.app.inject(`/messages/${th.orphan}/thread`);
    expect(res.statusCode).toBe(200);
    const html = res.body;
    expect(html).toContain('<h1>Thread: Re: agenda</h1>');
    expect(html).toContain('class="thread-item depth-1 focus"');
    expect(html).toContain('dated before the message it answers');
    expect(html).toContain('&lt;lost@example.org&gt; (not in the dump)');
    expect(html).toContain(`answers <a href="#m-${th.root}">Board meeting moved</a>`);
    expect(html).toContain('<span class="badge v-suspicious">suspicious</span>');
    expect(html).toContain('href="/messages/' + th.orphan + '/thread.json"');
    const message = (await t.app.inject(`/messages/${th.reply}`)).body;
    expect(message).toContain(`href="/messages/${th.reply}/thread"`);
  });

  it('is a 404 for a message the database does not hold', async () => {
    expect((await t.app.inject(`/messages/${'e'.repeat(64)}/thread.json`)).statusCode).toBe(404);
  });
});

describe('excerptOf', () => {
  it('keeps what a reply adds: no quoted lines, no "wrote:" line, nothing after an original message marker', () => {
    expect(excerptOf('Yes.\n\nOn Mon, 6 Mar, Bob wrote:\n> Lunch?\n> ok\n')).toBe('Yes.');
    expect(excerptOf('See below.\n-----Original Message-----\nFrom: x\nold text')).toBe('See below.');
    expect(excerptOf(null)).toBe('');
    expect(excerptOf('x'.repeat(400))).toHaveLength(280);
  });
});
