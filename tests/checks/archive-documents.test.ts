import { describe, expect, it } from 'vitest';
import { archiveDocuments, MIN_HABIT_DOCUMENTS, type ArchiveDocumentsInput } from '../../src/checks/archive-documents.ts';
import type { ArchivePerson, DocumentFact, DocumentMetadata, Finding } from '../../src/model.ts';
import { emptyMetadata } from '../../src/parse/document-metadata.ts';

const DAY = 86400;
const T = Date.UTC(2017, 0, 2, 9, 0, 0) / 1000;

const FIRST = ['Jean', 'Marie', 'Paul', 'Claire', 'Louis', 'Sophie', 'Hugo', 'Camille', 'Lucas', 'Julie', 'Nina', 'Théo'];
const LAST = ['Dupont', 'Martin', 'Bernard', 'Durand', 'Lefèvre', 'Moreau', 'Girard', 'Roux', 'Fournier', 'Mercier'];

interface Member {
  name: string;
  address: string;
}

/** Thirty members of campaign.example, with their e-mail names as in From headers. */
const MEMBERS: Member[] = Array.from({ length: 30 }, (_, i) => {
  const first = FIRST[i % FIRST.length]!;
  const last = LAST[(i * 7) % LAST.length]!;
  const local = `${first}.${last}`.normalize('NFKD').replace(/\p{M}/gu, '').toLowerCase();
  return { name: `${first} ${last}`, address: `${local}${i}@campaign.example` };
});

/** The company the organisation's Office installs are registered to. */
const ORG = { company: 'En Marche' };

let seq = 0;
function fact(sender: string, date: number, meta: Partial<DocumentMetadata>, content?: string): DocumentFact {
  seq++;
  const domain = sender.split('@')[1] ?? null;
  return {
    messageSha256: `m${String(seq).padStart(63, '0')}`,
    messageDate: date,
    sender,
    senderDomain: domain,
    attachmentIndex: 0,
    filename: `doc-${seq}.docx`,
    contentSha256: content ?? `c${String(seq).padStart(63, '0')}`,
    document: { ...emptyMetadata('docx'), application: 'Microsoft Office Word 16.0000', ...meta },
  };
}

/**
 * An honest archive: each member sends three documents over the year that they (or, one time in
 * five, a colleague) last saved, in French, or in British English one time in five, some days
 * before the message. Everyone is in the archive's From and To headers.
 */
function honestArchive(): { documents: DocumentFact[]; people: ArchivePerson[] } {
  const documents: DocumentFact[] = [];
  MEMBERS.forEach((m, i) => {
    for (let k = 0; k < 3; k++) {
      const n = i * 3 + k;
      const date = T + ((n * 37) % 330) * DAY + (n % 9) * 3600;
      const editor = n % 5 === 0 ? MEMBERS[(i + 1) % MEMBERS.length]! : m;
      documents.push(
        fact(m.address, date, {
          ...ORG,
          author: editor.name,
          lastModifiedBy: editor.name,
          language: n % 5 === 1 ? 'en-GB' : 'fr-FR',
          modified: date - ((n % 4) + 1) * DAY,
        }),
      );
    }
  });
  const people: ArchivePerson[] = [
    ...MEMBERS.map((m) => ({ name: m.name, address: m.address, messages: 40 })),
    { name: null, address: 'presse@campaign.example', messages: 12 },
  ];
  return { documents, people };
}

function run(input: ArchiveDocumentsInput): Map<string, Finding[]> {
  return archiveDocuments.run(input);
}

function codesFor(found: Map<string, Finding[]>, f: DocumentFact): string[] {
  return (found.get(f.messageSha256) ?? []).map((x) => x.code);
}

describe('archive-documents', () => {
  it('finds no evidence in an honest archive, with its partners, placeholders, templates, forwards and a bilingual member', () => {
    const { documents, people } = honestArchive();
    const member = MEMBERS[3]!;
    // A member who habitually writes Spanish (two documents of their own).
    documents.push(
      fact(member.address, T + 40 * DAY, {
        ...ORG,
        author: member.name,
        lastModifiedBy: member.name,
        language: 'es-ES',
        modified: T + 39 * DAY,
      }),
    );
    documents.push(
      fact(member.address, T + 90 * DAY, {
        ...ORG,
        author: member.name,
        lastModifiedBy: member.name,
        language: 'es-ES',
        modified: T + 88 * DAY,
      }),
    );
    // A document forwarded by three members is one document.
    for (const m of MEMBERS.slice(5, 8))
      documents.push(
        fact(m.address, T + 100 * DAY, { ...ORG, author: MEMBERS[9]!.name, language: 'fr-FR', modified: T + 99 * DAY }, 'f'.repeat(64)),
      );
    // A colleague's document re-edited by a member and sent again: its author is the colleague.
    documents.push(
      fact(MEMBERS[13]!.address, T + 130 * DAY, {
        ...ORG,
        author: MEMBERS[2]!.name,
        lastModifiedBy: MEMBERS[13]!.name,
        language: 'fr-FR',
        modified: T + 129 * DAY,
      }),
    );
    // A PDF that names nobody, and one made from a template whose author nobody in the archive is.
    const anonymous = fact(MEMBERS[15]!.address, T + 140 * DAY, { format: 'pdf', application: null, language: 'fr-FR' });
    const template = fact(MEMBERS[16]!.address, T + 141 * DAY, { format: 'pdf', author: 'Agence Graphik', language: 'fr-FR' });
    // A fresh install's placeholder under the organisation's company and language: a colleague's
    // new laptop, context only.
    const fresh = fact(MEMBERS[10]!.address, T + 120 * DAY, {
      ...ORG,
      author: 'Microsoft Office User',
      language: 'fr-FR',
      modified: T + 119 * DAY,
    });
    // A partner's own German file (the partner is in the archive), and one a partner's colleague
    // nobody in the archive is saved under the partner's company: the partner's domain has too
    // few documents to have habits, and the organisation's company is not the partner's.
    const partnerOwn = fact('k.berg@partner.example', T + 70 * DAY, {
      author: 'Klaus Berg',
      lastModifiedBy: 'Klaus Berg',
      company: 'Berg & Partner GmbH',
      language: 'de-DE',
      modified: T + 69 * DAY,
    });
    const partnerColleague = fact('k.berg@partner.example', T + 75 * DAY, {
      author: 'Ute Sommer',
      lastModifiedBy: 'Ute Sommer',
      company: 'Berg & Partner GmbH',
      language: 'en-GB',
      modified: T + 74 * DAY,
    });
    people.push({ name: 'Klaus Berg', address: 'k.berg@partner.example', messages: 6 });
    documents.push(anonymous, template, fresh, partnerOwn, partnerColleague);
    // A member who saved three files in one sitting and sent them that week.
    for (let k = 0; k < 3; k++) {
      const who = MEMBERS[12]!;
      documents.push(
        fact(who.address, T + 200 * DAY + k * DAY, {
          ...ORG,
          author: who.name,
          lastModifiedBy: who.name,
          language: 'fr-FR',
          modified: T + 199 * DAY + k * 120,
        }),
      );
    }
    // One of those files forwarded by a colleague four months later.
    documents.push(
      fact(
        MEMBERS[14]!.address,
        T + 320 * DAY,
        { ...ORG, author: MEMBERS[12]!.name, lastModifiedBy: MEMBERS[12]!.name, language: 'fr-FR', modified: T + 199 * DAY },
        documents[documents.length - 1]!.contentSha256,
      ),
    );
    // A billing system saving an invoice every ten minutes for five weeks, each mailed as it is made:
    // one unbroken chain of saves, which is a machine at work, not a sitting.
    people.push({ name: 'Billing', address: 'billing@campaign.example', messages: 5040 });
    for (let k = 0; k < 5040; k++) {
      const made = T + k * 600;
      documents.push(fact('billing@campaign.example', made + 60, { author: 'Billing', language: 'fr-FR', modified: made, format: 'pdf' }));
    }
    const found = run({ documents, people });
    expect([...found.values()].flat().filter((f) => f.severity !== 'info')).toEqual([]);
    const context = new Map([...found].map(([sha, list]) => [sha, list.map((f) => f.code)]));
    expect(context).toEqual(
      new Map([
        [template.messageSha256, ['archive-documents/unknown-editor']],
        [fresh.messageSha256, ['archive-documents/unknown-editor']],
        [partnerOwn.messageSha256, ['archive-documents/rare-language']],
        [partnerColleague.messageSha256, ['archive-documents/unknown-editor']],
      ]),
    );
    expect(found.get(partnerOwn.messageSha256)![0]!.detail).toBe(
      `The attached "${partnerOwn.filename}", last saved by "Klaus Berg", is in de-DE, which none of the archive's 97 documents saved by people it knows is in; too few of them were sent from partner.example to judge it there.`,
    );
  });

  it('reports a member’s document in a language none of the domain’s vouched-for documents carry, saying what that rests on', () => {
    const { documents, people } = honestArchive();
    const planted = fact(MEMBERS[0]!.address, T + 110 * DAY, {
      ...ORG,
      author: MEMBERS[0]!.name,
      lastModifiedBy: MEMBERS[0]!.name,
      language: 'ru-RU',
      modified: T + 109 * DAY,
    });
    documents.push(planted);
    const found = run({ documents, people });
    expect(codesFor(found, planted)).toEqual(['archive-documents/foreign-language']);
    expect(found.get(planted.messageSha256)![0]!.detail).toBe(
      `The attached "${planted.filename}", last saved by "${MEMBERS[0]!.name}", is in ru-RU: none of the 90 documents sent from campaign.example that 30 people the archive knows saved is in it (they are in fr-FR or en-GB), nor any other document of "${MEMBERS[0]!.name}" or of the sender.`,
    );
    expect(found.get(planted.messageSha256)![0]!.severity).toBe('weak');
    expect([...found.keys()]).toEqual([planted.messageSha256]);
  });

  it('keeps reporting planted documents that are a large share of the archive’s, learning only from vouched-for ones', () => {
    const { documents, people } = honestArchive();
    // As many planted files as honest ones, all in Russian and saved under placeholders, spread
    // over every member's mail: a habit learned from every document would call ru-RU normal.
    const planted = Array.from({ length: 90 }, (_, k) =>
      fact(MEMBERS[k % MEMBERS.length]!.address, T + (k * 3 + 1) * DAY, {
        author: MEMBERS[k % MEMBERS.length]!.name,
        lastModifiedBy: k % 2 === 0 ? 'Admin' : 'User',
        company: 'Home',
        language: 'ru-RU',
        modified: T + k * 3 * DAY,
      }),
    );
    documents.push(...planted);
    // "admin@" is an address of the archive: a placeholder name still names nobody.
    people.push({ name: null, address: 'admin@campaign.example', messages: 3 });
    const found = run({ documents, people });
    for (const f of planted) expect(codesFor(found, f)).toEqual(['archive-documents/foreign-editor']);
    const first = found.get(planted[0]!.messageSha256)![0]!;
    expect(first.evidence.foreign).toEqual(['company', 'language']);
    expect(first.detail).toBe(
      `The attached "${planted[0]!.filename}" was last saved by "Admin", a name programs write when nobody set one, with the company "Home" and the language ru-RU: none of the 90 documents sent from campaign.example that 30 people the archive knows saved has it (they are under "En Marche"); none of the 90 documents sent from campaign.example that 30 people the archive knows saved is in it (they are in fr-FR or en-GB).`,
    );
  });

  it('reports an unknown editor by what the vouched-for documents lack: a company, a language tag, a script', () => {
    const { documents, people } = honestArchive();
    const home = fact(MEMBERS[4]!.address, T + 150 * DAY, {
      ...ORG,
      author: MEMBERS[4]!.name,
      lastModifiedBy: 'J. Kowalczyk',
      company: 'Home',
      language: 'fr-FR',
    });
    const usEnglish = fact(MEMBERS[5]!.address, T + 151 * DAY, { ...ORG, lastModifiedBy: 'Mike Rowan', language: 'en-US' });
    const cyrillic = fact(MEMBERS[6]!.address, T + 152 * DAY, { ...ORG, lastModifiedBy: 'Георгий Рошка', language: 'fr-FR' });
    // The same outsider under the organisation's company and language: a colleague's account or a
    // contributor, context only.
    const colleague = fact(MEMBERS[7]!.address, T + 153 * DAY, { ...ORG, lastModifiedBy: 'Mike Rowan', language: 'en-GB' });
    documents.push(home, usEnglish, cyrillic, colleague);
    const found = run({ documents, people });
    const foreign = (f: DocumentFact): unknown => found.get(f.messageSha256)!.map((x) => [x.code, x.evidence.foreign ?? null]);
    expect(foreign(home)).toEqual([['archive-documents/foreign-editor', ['company']]]);
    expect(foreign(usEnglish)).toEqual([['archive-documents/foreign-editor', ['language']]]);
    expect(foreign(cyrillic)).toEqual([['archive-documents/foreign-editor', ['script']]]);
    expect(foreign(colleague)).toEqual([['archive-documents/unknown-editor', null]]);
    expect(found.get(cyrillic.messageSha256)![0]!.detail).toBe(
      `The attached "${cyrillic.filename}" was last saved by "Георгий Рошка", whom no sender or recipient of the archive is called, with a name written in Cyrillic: none of the archive's 30 named senders and recipients writes their name in it.`,
    );
  });

  it('judges a partner’s file where it first appeared, and the same file planted in a member’s mail against the domain', () => {
    const { documents, people } = honestArchive();
    people.push({ name: 'Klaus Berg', address: 'k.berg@partner.example', messages: 6 });
    const content = 'd'.repeat(64);
    const received = fact(
      'k.berg@partner.example',
      T + 80 * DAY,
      { author: 'Klaus Berg', company: 'Berg & Partner GmbH', language: 'de-DE', modified: T + 79 * DAY },
      content,
    );
    const forwarded = fact(
      MEMBERS[7]!.address,
      T + 81 * DAY,
      { author: 'Klaus Berg', company: 'Berg & Partner GmbH', language: 'de-DE', modified: T + 79 * DAY },
      content,
    );
    const withForward = run({ documents: [...documents, received, forwarded], people });
    expect(codesFor(withForward, forwarded)).toEqual(['archive-documents/rare-language']);
    const plantedOnly = run({ documents: [...documents, forwarded], people });
    expect(plantedOnly.get(forwarded.messageSha256)!.map((x) => [x.code, x.evidence.foreign])).toEqual([
      ['archive-documents/foreign-language', ['language']],
    ]);
  });

  it('needs enough vouched-for documents and people before a habit counts', () => {
    const { documents, people } = honestArchive();
    const few = documents.slice(0, MIN_HABIT_DOCUMENTS - 1);
    const planted = fact(MEMBERS[0]!.address, T + 110 * DAY, {
      ...ORG,
      lastModifiedBy: 'Mike Rowan',
      language: 'ru-RU',
      modified: T + 109 * DAY,
    });
    const found = run({ documents: [...few, planted], people });
    expect(codesFor(found, planted)).toEqual(['archive-documents/rare-language', 'archive-documents/unknown-editor']);
    expect(found.get(planted.messageSha256)!.every((f) => f.severity === 'info')).toBe(true);
    // Many documents, but saved by too few people: one person's install is not a domain's habit.
    const oneEditor = documents.map((d) => ({
      ...d,
      document: { ...d.document, author: MEMBERS[1]!.name, lastModifiedBy: MEMBERS[1]!.name },
    }));
    const alone = run({ documents: [...oneEditor, planted], people });
    expect((alone.get(planted.messageSha256) ?? []).every((f) => f.severity === 'info')).toBe(true);
  });

  it('reports documents saved minutes apart by one editor but sent by several people months apart', () => {
    const { documents, people } = honestArchive();
    const forger = 'Георгий Рошка';
    const sitting = T + 20 * DAY;
    const burst = [0, 1, 2, 3].map((k) =>
      fact(MEMBERS[k * 5]!.address, sitting + (30 + k * 35) * DAY, {
        author: MEMBERS[k * 5]!.name,
        lastModifiedBy: forger,
        language: 'fr-FR',
        modified: sitting + k * 240,
      }),
    );
    documents.push(...burst);
    const found = run({ documents, people });
    for (const f of burst) expect(codesFor(found, f)).toContain('archive-documents/edit-burst');
    const detail = found.get(burst[0]!.messageSha256)!.find((f) => f.code === 'archive-documents/edit-burst')!.detail;
    expect(detail).toBe(
      `The attached "${burst[0]!.filename}" is one of 4 documents "${forger}" saved within 12 minutes (2017-01-22T09:00:00Z to 2017-01-22T09:12:00Z), first sent in messages of 4 sender(s) dated 105 days apart.`,
    );
  });

  it('notes as context, not evidence, one sender sending files of one sitting over months', () => {
    const { documents, people } = honestArchive();
    const who = MEMBERS[2]!;
    const files = [0, 1, 2].map((k) =>
      fact(who.address, T + (10 + k * 40) * DAY, {
        author: who.name,
        lastModifiedBy: who.name,
        language: 'fr-FR',
        modified: T + 5 * DAY + k * 60,
      }),
    );
    documents.push(...files);
    const found = run({ documents, people });
    for (const f of files)
      expect(found.get(f.messageSha256)!.map((x) => [x.code, x.severity])).toEqual([['archive-documents/edit-session', 'info']]);
  });
});
