import { describe, expect, it } from 'vitest';
import { domainsUpToOrganisation, organisationalDomain, sameOrganisation } from '../../src/common/org-domain.ts';

describe('organisationalDomain (Public Suffix List)', () => {
  it('cuts a host at the name registered under its public suffix', () => {
    expect(organisationalDomain('mx.google.com')).toBe('google.com');
    expect(organisationalDomain('smtp.newsroom.co.uk.')).toBe('newsroom.co.uk');
    // Suffixes the old 36-entry list lacked: the PSL knows them.
    expect(organisationalDomain('mail.ministry.gov.br')).toBe('ministry.gov.br');
    expect(organisationalDomain('a.b.example.com.au')).toBe('example.com.au');
    // Private suffixes: a name under github.io belongs to its registrant, not to GitHub.
    expect(organisationalDomain('alice.github.io')).toBe('alice.github.io');
  });

  it('leaves addresses, bare names and unknown one-label suffixes as they are', () => {
    expect(organisationalDomain('[192.0.2.1]')).toBe('192.0.2.1');
    expect(organisationalDomain('2002:a05:6a10:8a4b::1')).toBe('2002:a05:6a10:8a4b::1');
    expect(organisationalDomain('localhost')).toBe('localhost');
    expect(organisationalDomain('mx1.corp.internal')).toBe('corp.internal');
    expect(organisationalDomain('co.uk')).toBe('co.uk');
  });

  it('aligns names of one organisation and nothing else', () => {
    expect(sameOrganisation('example.org', 'mail.example.org')).toBe(true);
    expect(sameOrganisation('news.example.org', 'mail.example.org')).toBe(true);
    expect(sameOrganisation('example.org', 'example.org.evil.net')).toBe(false);
    expect(sameOrganisation('ample.org', 'example.org')).toBe(false);
    // Two registrants under one public suffix are two organisations.
    expect(sameOrganisation('alice.co.uk', 'bob.co.uk')).toBe(false);
    expect(sameOrganisation('', 'example.org')).toBe(false);
    // The parser decodes an international From domain; the signature's d= is punycode.
    expect(sameOrganisation('xn--mnchen-3ya.de', 'mail.münchen.de')).toBe(true);
  });

  it('lists a host and its parents up to its organisational domain, never a public suffix', () => {
    expect(domainsUpToOrganisation('a.news.example.co.uk')).toEqual(['a.news.example.co.uk', 'news.example.co.uk', 'example.co.uk']);
    expect(domainsUpToOrganisation('example.org')).toEqual(['example.org']);
  });
});
