// What people write: topics of the foundation's work, subjects, greetings, sentences and closings
// in the languages of the staff. Deliberately plain office mail; numbers, days and names vary so
// that no two bodies are alike and edited copies can be told from their originals.
import type { Random } from './random.ts';
import type { Lang } from './world.ts';

export interface Topic {
  id: string;
  name: Record<Lang, string>;
  /** File name stem of a document about it. */
  doc: string;
  docTitle: string;
}

export const TOPICS: readonly Topic[] = [
  t(
    'coastal',
    'Coastal Resilience report',
    'rapport sur la résilience côtière',
    'Bericht Küstenresilienz',
    'informe de resiliencia costera',
    'rapporten om kustresiliens',
    'Coastal_Resilience_Report',
    'Coastal Resilience Report',
  ),
  t(
    'water',
    'Water Access Fund',
    "Fonds d'accès à l'eau",
    'Wasserzugangsfonds',
    'Fondo de Acceso al Agua',
    'vattenfonden',
    'Water_Access_Fund_overview',
    'Water Access Fund: overview',
  ),
  t(
    'board',
    'board meeting',
    'réunion du conseil',
    'Vorstandssitzung',
    'reunión del consejo',
    'styrelsemötet',
    'Board_papers',
    'Board papers',
  ),
  t(
    'lisbon',
    'Lisbon conference',
    'conférence de Lisbonne',
    'Lissabon-Konferenz',
    'conferencia de Lisboa',
    'konferensen i Lissabon',
    'Lisbon_conference_programme',
    'Lisbon conference: programme',
  ),
  t(
    'tilia',
    'Tilia Trust grant',
    'subvention de la Tilia Trust',
    'Tilia-Trust-Förderung',
    'subvención de Tilia Trust',
    'Tilia-bidraget',
    'Tilia_grant_application',
    'Application to the Tilia Trust',
  ),
  t('budget', '2024 budget', 'budget 2024', 'Haushalt 2024', 'presupuesto 2024', 'budgeten för 2024', 'Budget_2024', 'Budget 2024'),
  t(
    'audit',
    'annual audit',
    'audit annuel',
    'Jahresabschlussprüfung',
    'auditoría anual',
    'revisionen',
    'Audit_checklist',
    'Audit checklist',
  ),
  t(
    'hiring',
    'project officer recruitment',
    'recrutement du chargé de projet',
    'Besetzung der Projektstelle',
    'contratación del oficial de proyecto',
    'rekryteringen',
    'Job_description_project_officer',
    'Job description: project officer',
  ),
  t(
    'website',
    'website relaunch',
    'refonte du site web',
    'Website-Relaunch',
    'renovación de la web',
    'nya webbplatsen',
    'Website_sitemap',
    'Website relaunch: sitemap',
  ),
  t(
    'press',
    'press release on the coalition statement',
    'communiqué de presse sur la déclaration',
    'Pressemitteilung zur Erklärung',
    'nota de prensa sobre la declaración',
    'pressmeddelandet',
    'Press_release_draft',
    'Press release (draft)',
  ),
  t(
    'nairobi',
    'Nairobi field visit',
    'mission de terrain à Nairobi',
    'Feldbesuch in Nairobi',
    'visita de campo a Nairobi',
    'fältbesöket i Nairobi',
    'Nairobi_visit_agenda',
    'Nairobi field visit: agenda',
  ),
  t(
    'gdpr',
    'data protection policy',
    'politique de protection des données',
    'Datenschutzrichtlinie',
    'política de protección de datos',
    'dataskyddspolicyn',
    'Data_protection_policy',
    'Data protection policy',
  ),
  t(
    'kestrel',
    'partnership agreement with Kestrel',
    'accord de partenariat avec Kestrel',
    'Partnerschaftsvereinbarung mit Kestrel',
    'acuerdo de colaboración con Kestrel',
    'avtalet med Kestrel',
    'Partnership_agreement_Kestrel',
    'Partnership agreement',
  ),
  t(
    'quarterly',
    'Q-report for the funders',
    'rapport trimestriel',
    'Quartalsbericht',
    'informe trimestral',
    'kvartalsrapporten',
    'Quarterly_report',
    'Quarterly report',
  ),
  t(
    'travel',
    'travel reimbursements',
    'remboursements de frais de voyage',
    'Reisekostenabrechnung',
    'reembolso de gastos de viaje',
    'reseersättningarna',
    'Travel_expenses',
    'Travel expenses',
  ),
  t(
    'berlin',
    'Berlin office move',
    'déménagement du bureau de Berlin',
    'Büroumzug Berlin',
    'traslado de la oficina de Berlín',
    'flytten i Berlin',
    'Office_move_plan',
    'Berlin office move: plan',
  ),
  t(
    'translation',
    'translation of the summary',
    'traduction du résumé',
    'Übersetzung der Zusammenfassung',
    'traducción del resumen',
    'översättningen',
    'Summary_translation',
    'Executive summary',
  ),
  t(
    'workshop',
    'Brussels workshop',
    'atelier de Bruxelles',
    'Workshop in Brüssel',
    'taller de Bruselas',
    'workshopen i Bryssel',
    'Workshop_notes',
    'Workshop notes',
  ),
  t(
    'strategy',
    'strategy 2025-2027',
    'stratégie 2025-2027',
    'Strategie 2025-2027',
    'estrategia 2025-2027',
    'strategin 2025-2027',
    'Strategy_2025-2027',
    'Strategy 2025-2027',
  ),
  t(
    'it',
    'laptop replacement',
    'remplacement des ordinateurs',
    'Austausch der Laptops',
    'renovación de portátiles',
    'datorbytet',
    'IT_inventory',
    'IT inventory',
  ),
];

function t(id: string, en: string, fr: string, de: string, es: string, sv: string, doc: string, docTitle: string): Topic {
  return { id, name: { en, fr, de, es, sv }, doc, docTitle };
}

const DAYS_OF_WEEK: Record<Lang, string[]> = {
  en: ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday'],
  fr: ['lundi', 'mardi', 'mercredi', 'jeudi', 'vendredi'],
  de: ['Montag', 'Dienstag', 'Mittwoch', 'Donnerstag', 'Freitag'],
  es: ['lunes', 'martes', 'miércoles', 'jueves', 'viernes'],
  sv: ['måndag', 'tisdag', 'onsdag', 'torsdag', 'fredag'],
};

const SUBJECTS: Record<Lang, string[]> = {
  en: [
    '{Topic}',
    '{Topic}: next steps',
    '{Topic} - comments',
    'Quick question on the {topic}',
    '{Topic} (draft)',
    'Update: {topic}',
    '{Topic} - deadline {day}',
    'Notes from today on the {topic}',
  ],
  fr: [
    '{Topic}',
    '{Topic} : prochaines étapes',
    'Question rapide sur le {topic}',
    '{Topic} - commentaires',
    'Point sur le {topic}',
    '{Topic} (projet)',
  ],
  de: ['{Topic}', '{Topic}: nächste Schritte', 'Kurze Frage zum {topic}', '{Topic} - Anmerkungen', 'Stand {topic}', '{Topic} (Entwurf)'],
  es: ['{Topic}', '{Topic}: próximos pasos', 'Pregunta rápida sobre el {topic}', '{Topic} - comentarios', 'Novedades: {topic}'],
  sv: ['{Topic}', 'Angående {topic}', 'Snabb fråga om {topic}'],
};

const OPENERS: Record<Lang, string[]> = {
  en: [
    'Here is where we are on the {topic}.',
    'Following our call on {day}, a short summary on the {topic}.',
    'I went through the {topic} again this morning.',
    'As promised, my notes on the {topic}.',
    'Could you have a look at the {topic} before {day}?',
  ],
  fr: [
    'Voici où nous en sommes pour le {topic}.',
    'Suite à notre appel de {day}, un court résumé sur le {topic}.',
    "J'ai relu le {topic} ce matin.",
    'Comme promis, mes notes sur le {topic}.',
    'Pourrais-tu jeter un œil au {topic} avant {day} ?',
  ],
  de: [
    'hier der aktuelle Stand zum {topic}.',
    'nach unserem Telefonat am {day} eine kurze Zusammenfassung zum {topic}.',
    'ich habe mir den {topic} heute Morgen noch einmal angesehen.',
    'wie versprochen meine Notizen zum {topic}.',
    'könntest du dir den {topic} bis {day} ansehen?',
  ],
  es: [
    'Te resumo cómo va el {topic}.',
    'Tras nuestra llamada del {day}, un breve resumen sobre el {topic}.',
    'He vuelto a revisar el {topic} esta mañana.',
    'Como te prometí, mis notas sobre el {topic}.',
  ],
  sv: ['Här är läget med {topic}.', 'Jag tittade på {topic} igen i morse.'],
};

const MIDDLES: Record<Lang, string[]> = {
  en: [
    'The figures add up to {amount} so far, about {pct}% of what we planned.',
    'We still need the input from {name} on section {num}.',
    'I moved the deadline to {day} so that the partners can comment.',
    'The main open point is the timeline for phase {num}.',
    '{Name} suggested we cut the annex to {num} pages.',
    'I have added the comments from the last meeting in the shared folder.',
    'The Tilia Trust asked for a revised version by the end of the month.',
    'Travel costs came in {pct}% lower than expected.',
    'Can we keep {num} slots for the partners at the workshop?',
    'I would rather not send anything outside before the board has seen it.',
    'The translation should be back from Paul on {day}.',
    'There are {num} comments left, mostly on wording.',
  ],
  fr: [
    "Les chiffres s'élèvent à {amount} pour l'instant, soit environ {pct} % du prévu.",
    "Il nous manque encore l'avis de {name} sur la section {num}.",
    "J'ai repoussé l'échéance à {day} pour laisser le temps aux partenaires.",
    'Le principal point ouvert reste le calendrier de la phase {num}.',
    "{Name} propose de réduire l'annexe à {num} pages.",
    "J'ai ajouté les commentaires de la dernière réunion dans le dossier partagé.",
    'Les frais de voyage sont inférieurs de {pct} % aux prévisions.',
    'Il reste {num} commentaires, surtout de forme.',
  ],
  de: [
    'Die Zahlen liegen bisher bei {amount}, also etwa {pct} % der Planung.',
    'Uns fehlt noch die Rückmeldung von {name} zu Abschnitt {num}.',
    'Ich habe die Frist auf {day} verschoben, damit die Partner kommentieren können.',
    'Offen ist vor allem der Zeitplan für Phase {num}.',
    '{Name} schlägt vor, den Anhang auf {num} Seiten zu kürzen.',
    'Die Kommentare aus der letzten Sitzung liegen im gemeinsamen Ordner.',
    'Die Reisekosten liegen {pct} % unter der Schätzung.',
    'Es sind noch {num} Anmerkungen offen, meist sprachlich.',
  ],
  es: [
    'Las cifras suman {amount} por ahora, un {pct} % de lo previsto.',
    'Todavía falta la opinión de {name} sobre la sección {num}.',
    'He movido el plazo al {day} para que los socios puedan comentar.',
    'El punto abierto principal es el calendario de la fase {num}.',
    'Quedan {num} comentarios, casi todos de redacción.',
  ],
  sv: ['Siffrorna landar på {amount} hittills.', 'Vi väntar fortfarande på {name}.', 'Jag flyttade tidsfristen till {day}.'],
};

const ASKS: Record<Lang, string[]> = {
  en: ['Let me know if that works for you.', 'Any objections?', 'Happy to discuss on a call.', 'Can you confirm by {day}?', ''],
  fr: ['Dis-moi si cela te convient.', 'Des objections ?', 'On peut en parler au téléphone.', 'Peux-tu confirmer avant {day} ?', ''],
  de: ['Passt das so für dich?', 'Einwände?', 'Gerne auch telefonisch.', 'Kannst du bis {day} bestätigen?', ''],
  es: ['Dime si te parece bien.', '¿Alguna objeción?', 'Lo hablamos por teléfono si quieres.', ''],
  sv: ['Säg till om det funkar.', ''],
};

const REPLIES: Record<Lang, string[]> = {
  en: [
    'Thanks, that works for me.',
    'Agreed. I will update the draft by {day}.',
    'Fine by me, but let us keep {name} in the loop.',
    'Thanks - I have a few comments, see below.',
    'Looks good. One question: is the {amount} figure final?',
    'Sorry for the slow reply. Yes, go ahead.',
    'I am not sure about phase {num}; can we talk on {day}?',
  ],
  fr: [
    'Merci, ça me va.',
    "D'accord, je mets le projet à jour d'ici {day}.",
    'Ok pour moi, mais gardons {name} en copie.',
    'Merci, quelques remarques ci-dessous.',
    'Désolée pour le retard. Oui, vas-y.',
  ],
  de: [
    'Danke, passt für mich.',
    'Einverstanden, ich aktualisiere den Entwurf bis {day}.',
    'Okay, aber bitte {name} in Kopie lassen.',
    'Danke, ein paar Anmerkungen unten.',
    'Sorry für die späte Antwort. Ja, mach gerne.',
  ],
  es: [
    'Gracias, me parece bien.',
    'De acuerdo, actualizo el borrador antes del {day}.',
    'Vale, pero mantengamos a {name} en copia.',
    'Gracias, te dejo algunos comentarios abajo.',
  ],
  sv: ['Tack, det låter bra.', 'Absolut, vi hörs på {day}.'],
};

const GREETINGS: Record<Lang, string[]> = {
  en: ['Hi {first},', 'Dear {first},', 'Hello {first},', '{first},'],
  fr: ['Bonjour {first},', 'Salut {first},', 'Chère {first},'],
  de: ['Hallo {first},', 'Liebe/r {first},', 'Hi {first},'],
  es: ['Hola {first}:', 'Hola {first},', 'Estimada {first}:'],
  sv: ['Hej {first}!', 'Hej {first},'],
};

const CLOSINGS: Record<Lang, string[]> = {
  en: ['Best,', 'Thanks,', 'Kind regards,', 'Cheers,', 'Best wishes,'],
  fr: ['Bien à toi,', 'Merci,', 'Cordialement,', 'Bonne journée,'],
  de: ['Viele Grüße', 'Beste Grüße', 'Danke und Gruß', 'LG'],
  es: ['Un saludo,', 'Gracias,', 'Saludos,'],
  sv: ['Kram', 'Hälsningar'],
};

export const SENT_FROM_PHONE: Record<Lang, { iphone: string; android: string }> = {
  en: { iphone: 'Sent from my iPhone', android: 'Sent from my Android device with K-9 Mail. Please excuse my brevity.' },
  fr: { iphone: 'Envoyé de mon iPhone', android: 'Envoyé de mon appareil Android avec K-9 Mail. Veuillez excuser ma brièveté.' },
  de: { iphone: 'Von meinem iPhone gesendet', android: 'Diese Nachricht wurde von meinem Android-Gerät mit K-9 Mail gesendet.' },
  es: { iphone: 'Enviado desde mi iPhone', android: 'Enviado desde mi dispositivo Android con K-9 Mail. Por favor, disculpa mi brevedad.' },
  sv: { iphone: 'Skickat från min iPhone', android: 'Skickat från min Android-enhet med K-9 Mail.' },
};

export interface Slots {
  topic: Topic;
  lang: Lang;
  /** First names of people the text may mention. */
  names: string[];
}

export function fill(rng: Random, template: string, slots: Slots): string {
  const name = rng.pick(slots.names.length ? slots.names : ['Sara']);
  const topic = slots.topic.name[slots.lang];
  const amount = slots.lang === 'en' ? `EUR ${rng.int(3, 480)},${rng.int(100, 999)}` : `${rng.int(3, 480)}.${rng.int(100, 999)} EUR`;
  return template
    .replace(/\{Topic\}/g, topic.charAt(0).toUpperCase() + topic.slice(1))
    .replace(/\{topic\}/g, topic)
    .replace(/\{day\}/g, rng.pick(DAYS_OF_WEEK[slots.lang]))
    .replace(/\{num\}/g, String(rng.int(2, 12)))
    .replace(/\{pct\}/g, String(rng.int(4, 96)))
    .replace(/\{amount\}/g, amount)
    .replace(/\{Name\}/g, name)
    .replace(/\{name\}/g, name);
}

export function writeSubject(rng: Random, slots: Slots): string {
  return fill(rng, rng.pick(SUBJECTS[slots.lang]), slots);
}

export function firstName(name: string): string {
  const parts = name.replace(/^Prof\. /, '').split(' ');
  return parts[0] ?? name;
}

/** A greeting line for one recipient, or for several. */
export function writeGreeting(rng: Random, lang: Lang, recipients: string[]): string {
  if (recipients.length !== 1) {
    const all: Record<Lang, string> = {
      en: 'Hi all,',
      fr: 'Bonjour à tous,',
      de: 'Hallo zusammen,',
      es: 'Hola a todos:',
      sv: 'Hej allihop!',
    };
    return all[lang];
  }
  return rng.pick(GREETINGS[lang]).replace('{first}', firstName(recipients[0]!));
}

/** The body of a new message: paragraphs without greeting or signature. */
export function writeParagraphs(rng: Random, slots: Slots, short: boolean): string[] {
  const out = [fill(rng, rng.pick(OPENERS[slots.lang]), slots)];
  const middles = short ? rng.int(0, 1) : rng.int(1, 3);
  const body = rng.sample(MIDDLES[slots.lang], middles).map((m) => fill(rng, m, slots));
  if (body.length) out.push(body.join(' '));
  const ask = fill(rng, rng.pick(ASKS[slots.lang]), slots);
  if (ask) out.push(ask);
  return out;
}

export function writeReplyParagraphs(rng: Random, slots: Slots, short: boolean): string[] {
  const out = [fill(rng, rng.pick(REPLIES[slots.lang]), slots)];
  if (!short && rng.chance(0.6)) out.push(fill(rng, rng.pick(MIDDLES[slots.lang]), slots));
  return out;
}

export function writeClosing(rng: Random, lang: Lang): string {
  return rng.pick(CLOSINGS[lang]);
}

/** A person's desktop signature block (no separator line: the client adds its own). */
export function signatureBlock(name: string, title: string, org: string, phone: string): string[] {
  const lines = [name];
  if (title || org) lines.push([title, org].filter(Boolean).join(' | '));
  if (phone) lines.push(phone);
  return lines;
}

export function replyPrefix(lang: Lang, client: 'outlook' | 'other'): string {
  if (client === 'outlook') return { en: 'RE: ', fr: 'RE : ', de: 'AW: ', es: 'RE: ', sv: 'SV: ' }[lang];
  return 'Re: ';
}

export function forwardPrefix(lang: Lang, client: 'outlook' | 'other'): string {
  if (client === 'outlook') return { en: 'FW: ', fr: 'TR : ', de: 'WG: ', es: 'RV: ', sv: 'VB: ' }[lang];
  return 'Fwd: ';
}

/** The subject without reply and forward prefixes (as Thread-Topic holds it). */
export function baseSubject(subject: string): string {
  return subject.replace(/^((re|aw|sv|fwd?|tr|wg|rv|vb)\s?:\s*|\[[^\]]+\]\s*)+/i, '');
}

export const PERSONAL_LINES: Record<Lang, string[]> = {
  en: [
    'Are we still on for Sunday lunch?',
    'The photos from the weekend are in the shared album.',
    'Mum asked whether you could call her this week.',
    'I booked the train for the 14th, arriving around six.',
    'Did you get the parcel? The tracking says delivered.',
    'Happy birthday! Hope you have a lovely day.',
  ],
  sv: ['Ses vi på söndag?', 'Bilderna från helgen ligger i albumet.', 'Mamma undrade om du kan ringa henne.', 'Grattis på födelsedagen!'],
  fr: ['On se voit dimanche ?', 'Les photos du week-end sont dans l’album partagé.'],
  de: ['Sehen wir uns am Sonntag?', 'Die Fotos vom Wochenende sind im Album.'],
  es: ['¿Nos vemos el domingo?', 'Las fotos del fin de semana están en el álbum.'],
};
