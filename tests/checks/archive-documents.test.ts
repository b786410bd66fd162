import { describe, expect, it } from 'vitest';
import { archiveDocuments, MIN_HABIT_DOCUMENTS, type ArchiveDocumentsInput } from '../../src/checks/archive-documents.ts';
import type { ArchivePerson, DocumentFact, DocumentMetadata, Finding } from '../../src/model.ts';

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
    document: {
      format: 'docx',
      title: null,
      author: null,
      lastModifiedBy: null,
      application: 'Microsoft Office Word 16.0000',
      producer: null,
      company: null,
      language: null,
      created: null,
      modified: null,
      timesWithoutZone: false,
      revision: null,
      template: null,
      problems: [],
      ...meta,
    },
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
  it('finds nothing in an honest archive, with its partners, placeholders, forwards and a bilingual member', () => {
    const { documents, people } = honestArchive();
    const member = MEMBERS[3]!;
    // A member who habitually writes Spanish (two documents of their own).
    documents.push(
      fact(member.address, T + 40 * DAY, { author: member.name, lastModifiedBy: member.name, language: 'es-ES', modified: T + 39 * DAY }),
    );
    documents.push(
      fact(member.address, T + 90 * DAY, { author: member.name, lastModifiedBy: member.name, language: 'es-ES', modified: T + 88 * DAY }),
    );
    // A document forwarded by three members is one document.
    for (const m of MEMBERS.slice(5, 8))
      documents.push(
        fact(m.address, T + 100 * DAY, { author: MEMBERS[9]!.name, language: 'fr-FR', modified: T + 99 * DAY }, 'f'.repeat(64)),
      );
    // Placeholder names of fresh installs and library defaults name nobody.
    documents.push(
      fact(MEMBERS[10]!.address, T + 120 * DAY, { author: 'Microsoft Office User', language: 'fr-FR', modified: T + 119 * DAY }),
    );
    documents.push(
      fact(MEMBERS[11]!.address, T + 121 * DAY, { lastModifiedBy: 'Администратор', language: 'fr-FR', modified: T + 120 * DAY }),
    );
    // A member who saved three files in one sitting and sent them that week.
    for (let k = 0; k < 3; k++) {
      const who = MEMBERS[12]!;
      documents.push(
        fact(who.address, T + 200 * DAY + k * DAY, {
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
        { author: MEMBERS[12]!.name, lastModifiedBy: MEMBERS[12]!.name, language: 'fr-FR', modified: T + 199 * DAY },
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
    const weak = [...found.values()].flat().filter((f) => f.severity !== 'info');
    expect(weak).toEqual([]);
    expect([...found.values()].flat().map((f) => f.code)).toEqual([]);
  });

  it('reports a document in a language foreign to the sender’s domain, saying what that rests on', () => {
    const { documents, people } = honestArchive();
    const planted = fact(MEMBERS[0]!.address, T + 110 * DAY, {
      author: MEMBERS[0]!.name,
      lastModifiedBy: MEMBERS[0]!.name,
      language: 'ru-RU',
      modified: T + 109 * DAY,
    });
    documents.push(planted);
    const found = run({ documents, people });
    expect(codesFor(found, planted)).toEqual(['archive-documents/foreign-language']);
    expect(found.get(planted.messageSha256)![0]!.detail).toBe(
      `90 of the 90 other documents sent from campaign.example, by 29 other senders, are in fr-FR or en-GB; the attached "${planted.filename}" was edited in ru-RU, which none of them uses, and none of the sender's 3 other documents.`,
    );
    expect(found.get(planted.messageSha256)![0]!.severity).toBe('weak');
    expect([...found.keys()]).toEqual([planted.messageSha256]);
  });

  it('still reports planted documents spread over several mailboxes, each sender weighing the same', () => {
    const { documents, people } = honestArchive();
    const planted = MEMBERS.slice(0, 6).map((m, k) =>
      fact(m.address, T + (50 + k * 20) * DAY, {
        author: m.name,
        lastModifiedBy: m.name,
        language: 'ru-RU',
        modified: T + (49 + k * 20) * DAY,
      }),
    );
    documents.push(...planted);
    const found = run({ documents, people });
    for (const f of planted) expect(codesFor(found, f)).toEqual(['archive-documents/foreign-language']);
    expect(found.get(planted[0]!.messageSha256)![0]!.detail).toContain("which only 5 of them use (4 % of an average sender's documents)");
  });

  it('reports a document last saved by someone nobody in the archive is, where the domain’s documents are its own people’s', () => {
    const { documents, people } = honestArchive();
    const planted = fact(MEMBERS[4]!.address, T + 150 * DAY, {
      author: MEMBERS[4]!.name,
      lastModifiedBy: 'Георгий Рошка',
      language: 'fr-FR',
      modified: T + 149 * DAY,
    });
    documents.push(planted);
    const found = run({ documents, people });
    expect(codesFor(found, planted)).toEqual(['archive-documents/foreign-editor']);
    expect(found.get(planted.messageSha256)![0]!.detail).toBe(
      `The attached "${planted.filename}" was last saved by "Георгий Рошка", whom no sender or recipient of the archive is called; the 29 other senders of campaign.example send documents saved by people the archive knows (100 % of an average sender's documents, 90 documents in all).`,
    );
  });

  it('does not count an outside editor the sender habitually passes on, and stays info where the domain is mixed', () => {
    const { documents, people } = honestArchive();
    const m = MEMBERS[6]!;
    const a = fact(m.address, T + 60 * DAY, { author: 'Paul Verhoeven-Smit', language: 'fr-FR', modified: T + 59 * DAY });
    const b = fact(m.address, T + 160 * DAY, { author: 'Paul Verhoeven-Smit', language: 'fr-FR', modified: T + 159 * DAY });
    documents.push(a, b);
    expect(codesFor(run({ documents, people }), a)).toEqual([]);
    // A partner's German file, received, then forwarded by a member: judged where it first appeared.
    const received = fact(
      'k.berg@partner.example',
      T + 80 * DAY,
      { author: 'Klaus Berg', language: 'de-DE', modified: T + 79 * DAY },
      'd'.repeat(64),
    );
    const forwarded = fact(
      MEMBERS[7]!.address,
      T + 81 * DAY,
      { author: 'Klaus Berg', language: 'de-DE', modified: T + 79 * DAY },
      'd'.repeat(64),
    );
    const withForward = run({ documents: [...documents, received, forwarded], people });
    expect((withForward.get(forwarded.messageSha256) ?? []).filter((f) => f.severity !== 'info')).toEqual([]);
    // Planted in a member's mail, the same file is foreign to the domain.
    const plantedOnly = run({ documents: [...documents, forwarded], people });
    expect(codesFor(plantedOnly, forwarded)).toEqual(['archive-documents/foreign-language', 'archive-documents/foreign-editor']);
    // A partner's domain with one document: too thin to judge, so at most context.
    const partner = fact('k.berg@partner.example', T + 70 * DAY, { author: 'Klaus Berg', language: 'de-DE', modified: T + 69 * DAY });
    const found = run({ documents: [...documents, partner], people });
    expect(codesFor(found, partner)).toEqual(['archive-documents/rare-language', 'archive-documents/unknown-editor']);
    expect(found.get(partner.messageSha256)!.every((f) => f.severity === 'info')).toBe(true);
  });

  it('needs enough documents of the domain before a habit counts', () => {
    const { documents, people } = honestArchive();
    const few = documents.slice(0, MIN_HABIT_DOCUMENTS - 1);
    const planted = fact(MEMBERS[0]!.address, T + 110 * DAY, {
      lastModifiedBy: 'Георгий Рошка',
      language: 'ru-RU',
      modified: T + 109 * DAY,
    });
    const found = run({ documents: [...few, planted], people });
    expect((found.get(planted.messageSha256) ?? []).every((f) => f.severity === 'info')).toBe(true);
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
