// The scoring of bench/leak-eval.ts on hand-made rows: recall per technique, false alarms per tag,
// validly signed mail that is not verified, list mail called tampered, and the reasons counted.
import { describe, expect, it } from 'vitest';
import { formatReport, scoreLeak, type ExportRow, type TruthFile } from '../../bench/leak-eval.ts';

const truth: TruthFile = {
  generator: { seed: 's', messages: 6, version: 1 },
  messages: {
    'a.eml': { sha256: 'a', kind: 'authentic', tags: ['sent-copy'], validlySigned: false },
    'b.eml': { sha256: 'b', kind: 'authentic', tags: ['inbox-copy', 'list-modified'], validlySigned: false },
    'c.eml': { sha256: 'c', kind: 'authentic', tags: ['inbox-copy'], validlySigned: true },
    'mbox#10': { sha256: 'd', kind: 'forgery', technique: 'body-edited', note: '' },
    'mbox#900': { sha256: 'e', kind: 'forgery', technique: 'body-edited', note: '' },
    'f.eml': { sha256: 'f', kind: 'forgery', technique: 'lookalike-domain', note: '' },
    // The same bytes found twice are one message.
    'copy-of-c.eml': { sha256: 'c', kind: 'authentic', tags: ['inbox-copy'], validlySigned: true },
  },
};

describe('scoreLeak', () => {
  it('counts recall, false alarms, proofs and the reasons behind them', () => {
    const rows: ExportRow[] = [
      { sha256: 'a', verdict: 'suspicious', reasons: 'dkim/missing-signature' },
      { sha256: 'b', verdict: 'tampered', reasons: 'dkim/body-hash-mismatch' },
      { sha256: 'c', verdict: 'verified', reasons: 'dkim/pass' },
      { sha256: 'd', verdict: 'tampered', reasons: 'dkim/body-hash-mismatch' },
      { sha256: 'e', verdict: 'unverifiable', reasons: 'dkim/key-unknown' },
      { sha256: 'f', verdict: 'verified', reasons: 'dkim/pass' },
      { sha256: 'zzz', verdict: 'unverifiable', reasons: '' },
    ];
    const s = scoreLeak(truth, rows);
    expect(s.messages).toBe(6);
    expect(s.recall).toEqual({ n: 3, hits: 1, rate: 1 / 3 });
    expect(s.forgeriesVerified.hits).toBe(1);
    expect(s.falseAlarms).toEqual({ n: 3, hits: 2, rate: 2 / 3 });
    expect(s.validlySignedVerified).toEqual({ n: 1, hits: 1, rate: 1 });
    expect(s.listModifiedTampered).toEqual({ n: 1, hits: 1, rate: 1 });
    expect(s.techniques.find((t) => t.technique === 'body-edited')).toMatchObject({
      n: 2,
      flagged: 1,
      recall: 0.5,
      missReasons: { 'dkim/key-unknown': 1 },
    });
    expect(s.tags.find((t) => t.tag === 'inbox-copy')).toMatchObject({ n: 2, flagged: 1, tampered: 1 });
    expect(s.falseAlarmReasons).toEqual({ 'dkim/missing-signature': 1, 'dkim/body-hash-mismatch': 1 });
    expect(s.missReasons).toEqual({ 'dkim/key-unknown': 1, 'dkim/pass': 1 });
    expect(s.unknownRows).toBe(1);
    expect(s.missingFromExport).toEqual([]);
  });

  it('reports a message of the truth that the export lacks', () => {
    const s = scoreLeak(truth, [{ sha256: 'a', verdict: 'unverifiable', reasons: null }]);
    expect(s.missingFromExport.sort()).toEqual(['b', 'c', 'd', 'e', 'f']);
    expect(s.falseAlarms).toEqual({ n: 1, hits: 0, rate: 0 });
    const report = formatReport({ dump: '/x', bin: '/b', seed: 's', importSeconds: 1, importSummary: '', score: s });
    expect(report).toMatch(/\| messages of the truth missing from the export \| 5 \|/);
  });
});
