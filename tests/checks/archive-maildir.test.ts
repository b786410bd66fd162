import { describe, expect, it } from 'vitest';
import {
  archiveMaildir,
  emptyMaildirNames,
  learnMaildirNames,
  MIN_AGREEING_SHARE,
  SIZE_DIFFERS,
} from '../../src/checks/archive-maildir.ts';
import { HABIT_MIN_MESSAGES } from '../../src/checks/archive-signing.ts';
import { maildirNamedSize } from '../../src/store/archive-repo.ts';
import { decideVerdict } from '../../src/verdict/decide-verdict.ts';
import type { ArchiveRecord, CopyPlace, Finding } from '../../src/model.ts';
import { place, record } from './archive-fixtures.ts';

/** A place in anna's maildir inbox: a file whose name gives `namedSize` (and 40 more with CRLF line breaks) and which holds `bytes`. */
function file(n: number, namedSize: number, bytes: number, where = 'anna/Maildir'): CopyPlace {
  return {
    ...place(where, 'inbox'),
    file: {
      name: `${1686000000 + n}.M${n}P4632.mail,S=${namedSize},W=${namedSize + 40}:2,S`,
      namedSize,
      namedCrlfSize: namedSize + 40,
      bytes,
    },
  };
}

function message(n: number, places: CopyPlace[]): Promise<ArchiveRecord> {
  return record({
    sha256: `m${n}`,
    headers: [
      'From: Tom <tom@org.example>',
      'To: anna@org.example',
      `Subject: Note ${n}`,
      'Date: Tue, 1 Apr 2025 09:00:00 +0000',
      `Message-ID: <${n}@org.example>`,
    ],
    places,
  });
}

function judge(records: ArchiveRecord[]): Map<string, Finding[]> {
  const names = emptyMaildirNames();
  learnMaildirNames(records, names);
  return archiveMaildir.run({ records, names });
}

const range = (n: number, from = 0) => Array.from({ length: n }, (_, i) => from + i);

describe('archive-maildir', () => {
  it('reads the size a maildir name gives, and nothing else', () => {
    expect(maildirNamedSize('/dump/anna/cur/1686038250.M363559P46325.host,S=1560,W=1602:2,S')).toEqual({ size: 1560, crlfSize: 1602 });
    expect(maildirNamedSize('anna/new/1686038250.M363559P46325.host,W=1602,S=1560')).toEqual({ size: 1560, crlfSize: 1602 });
    expect(maildirNamedSize('dump.zip!/anna/cur/1686038250.M3P4.host,S=77:2,RS')).toEqual({ size: 77, crlfSize: null });
    expect(maildirNamedSize('anna/cur/1686038250.M3P4.host,S=77,W=8x:2,RS')).toEqual({ size: 77, crlfSize: null });
    // No size, one in the flags part, a folder that looks like one, a field that runs on.
    expect(maildirNamedSize('anna/cur/1686038250.M363559P46325.host:2,S')).toBeNull();
    expect(maildirNamedSize('anna/cur/1686038250.M3P4.host:2,S=12')).toBeNull();
    expect(maildirNamedSize('a,S=12/cur/1686038250.M3P4.host:2,S')).toBeNull();
    expect(maildirNamedSize('anna/cur/1686038250.M3P4.host,S=12x:2,S')).toBeNull();
  });

  it('flags a file that holds another size than its name gives, in a maildir whose names agree with their files', async () => {
    const good = await Promise.all(range(HABIT_MIN_MESSAGES).map((n) => message(n, [file(n, 1000 + n, 1000 + n)])));
    const edited = await message(99, [file(99, 1560, 1559)]);
    const out = judge([...good, edited]);
    expect([...out.keys()]).toEqual(['m99']);
    const f = out.get('m99')![0]!;
    expect(f.code).toBe(SIZE_DIFFERS);
    expect(f.severity).toBe('weak');
    expect(f.detail).toContain('holds 1,559 bytes');
    expect(f.detail).toContain('says 1,560 (1,600 with CRLF line breaks)');
    expect(f.detail).toContain(`${HABIT_MIN_MESSAGES} of its ${HABIT_MIN_MESSAGES + 1} files`);
    expect(f.evidence).toEqual({
      files: [
        {
          mailbox: '/dump/anna/Maildir',
          name: '1686000099.M99P4632.mail,S=1560,W=1600:2,S',
          namedSize: 1560,
          namedCrlfSize: 1600,
          bytes: 1559,
          maildirNamed: HABIT_MIN_MESSAGES + 1,
          maildirAgreeing: HABIT_MIN_MESSAGES,
        },
      ],
    });
    expect(decideVerdict([f]).verdict).toBe('suspicious');
  });

  it('reads a file whose line breaks were converted to CRLF on the way as agreeing with its name (W=), in a maildir copied so too', async () => {
    // Every file converted (a transfer in text mode): the names are still believed, through W=.
    const converted = await Promise.all(range(HABIT_MIN_MESSAGES).map((n) => message(n, [file(n, 1000 + n, 1040 + n)])));
    const edited = await message(99, [file(99, 1560, 1599)]);
    const out = judge([...converted, edited]);
    expect([...out.keys()]).toEqual(['m99']);
    expect(out.get('m99')![0]!.detail).toContain(`${HABIT_MIN_MESSAGES} of its ${HABIT_MIN_MESSAGES + 1} files`);
  });

  it('says nothing where the names cannot be believed: too few, or a maildir whose files were rewritten', async () => {
    // Too few named files to know the maildir's names.
    const few = await Promise.all(range(HABIT_MIN_MESSAGES - 2).map((n) => message(n, [file(n, 1000, 1000)])));
    expect(judge([...few, await message(99, [file(99, 1560, 1559)])]).size).toBe(0);
    // A copy that rewrote most files (line breaks converted): their names disagree with them all alike.
    const total = HABIT_MIN_MESSAGES + 8;
    const disagreeing = Math.floor(total * (1 - MIN_AGREEING_SHARE)) + 1;
    const rewritten = await Promise.all(range(total).map((n) => message(n, [file(n, 1000, n < disagreeing ? 1030 : 1000)])));
    expect(judge(rewritten).size).toBe(0);
  });

  it('says nothing of bytes that are also in a file whose name agrees with them, nor of a file whose name gives no size', async () => {
    const good = await Promise.all(range(HABIT_MIN_MESSAGES).map((n) => message(n, [file(n, 1000, 1000)])));
    const twice = await message(98, [file(98, 1560, 1559), file(198, 1559, 1559, 'anna/Maildir/.Archive')]);
    const unnamed = await message(97, [place('anna/Maildir', 'inbox')]);
    expect(judge([...good, twice, unnamed]).size).toBe(0);
  });
});
