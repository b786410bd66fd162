// The only adapter over nodemailer's address parser (the one mailparser uses): an address header's
// value into mailboxes and groups, not yet decoded.
import { createRequire } from 'node:module';

export interface ParsedAddress {
  name: string;
  address?: string;
  group?: ParsedAddress[];
}

const addressparser = createRequire(import.meta.url)('nodemailer/lib/addressparser') as (s: string) => ParsedAddress[];

export function parseAddressList(value: string): ParsedAddress[] {
  return addressparser(value);
}
