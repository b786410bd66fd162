// Codes recorded by the stages themselves rather than by a check: problems met while parsing,
// and a stage that failed on a message. All are `info`: they explain, they never decide.
import type { CodeDoc } from '../model.ts';

export const STAGE_CODES: Record<string, CodeDoc> = {
  'parse/no-body': { severity: 'info', meaning: 'No blank line ends the headers: the message has no body or was cut short.' },
  'parse/stray-header-lines': {
    severity: 'info',
    meaning: 'Lines in the header section are neither headers nor continuations (broken or hand-edited headers).',
  },
  'parse/no-headers': { severity: 'info', meaning: 'No header could be read at all.' },
  'parse/nul-bytes': { severity: 'info', meaning: 'The message contains NUL bytes, which RFC 5322 forbids.' },
  'parse/8bit-headers': { severity: 'info', meaning: 'The headers contain raw 8-bit bytes that are not valid UTF-8.' },
  'parse/header-too-large': {
    severity: 'info',
    meaning:
      'The header section is larger than 1 MiB; bodies and decoded headers were not parsed (the raw headers and DKIM evidence were).',
  },
  'parse/mime-too-deep': {
    severity: 'info',
    meaning: 'More than 200 MIME boundaries are declared; the body tree was not parsed (the raw headers and DKIM evidence were).',
  },
  'parse/mime-error': { severity: 'info', meaning: 'The MIME parser failed on the body; headers and DKIM evidence are still recorded.' },
  'parse/html-too-deep': {
    severity: 'info',
    meaning:
      'An HTML part nests more than 1,000 elements deep (no mail program writes that); its text, for search and comparison, was made from the HTML before that point.',
  },
  'parse/html-not-converted': {
    severity: 'info',
    meaning:
      'An HTML part of a message read by mailparser could not be turned into text (too deep, too long, or the converter failed); the rest of the body was read.',
  },
  'parse/failed': { severity: 'info', meaning: 'The message could not be parsed at all.' },
  'verify/mbox-from-unquoted': {
    severity: 'info',
    meaning:
      'The body has lines starting ">From ", the escaping mbox files add; the signature verifies once that escaping is undone, so the stored bytes differ from the signed body only by it.',
  },
  'verify/error': {
    severity: 'info',
    meaning: 'Verification failed on this message; no signature result is available (and it cannot be verified).',
  },
  'check/error': { severity: 'info', meaning: 'A check failed on this message (a programming error); its result is missing.' },
  'analyse/failed': {
    severity: 'info',
    meaning: 'The message could not be analysed in time or the analysis crashed; its bytes are stored and a failure record says why.',
  },
};
