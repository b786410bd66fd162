import { describe, expect, it } from 'vitest';
import { readIdentifierTimes, readThreadIndexTimes } from '../../src/checks/embedded-times.ts';
import { shapeOf } from '../../src/checks/message-facts.ts';

const at = (iso: string): number => Date.parse(iso) / 1000;

describe('times embedded in identifiers', () => {
  it('reads the FILETIME Outlook writes into its Message-IDs and boundaries', () => {
    // FILETIME 0x01DA4857_1C007E80 is 2024-01-16 08:36:33.47 UTC.
    const id = readIdentifierTimes('message-id', '000801da4857$1c007e80$3c4bf7a8$');
    expect(id.find((t) => t.format.startsWith('filetime'))?.epoch).toBe(at('2024-01-16T08:36:33Z'));
    const boundary = readIdentifierTimes('boundary', '----=_NextPart_000_0009_01DA4857.1C007E80');
    expect(boundary.find((t) => t.format.startsWith('filetime'))?.epoch).toBe(at('2024-01-16T08:36:33Z'));
  });

  it('reads calendar digits, Unix seconds and milliseconds, and UUID v1/v7 times, and nothing in a random id', () => {
    expect(readIdentifierTimes('message-id', '20250304091500.1234').map((t) => [t.format, t.epoch])).toContainEqual([
      'run0:yyyymmddhhmmss',
      at('2025-03-04T09:15:00Z'),
    ]);
    expect(readIdentifierTimes('message-id', '1.1741079300123.JavaMail').map((t) => t.format)).toContain('run1:unix-ms');
    // UUID v7: the first 48 bits are Unix milliseconds.
    const v7 = readIdentifierTimes('message-id', '01955e9b-6a00-7abc-8def-0123456789ab');
    expect(v7.find((t) => t.format === 'uuid-v7')?.epoch).toBe(Math.floor(0x01955e9b6a00 / 1000));
    expect(readIdentifierTimes('message-id', 'f47ac10b-58cc-4372-a567-0e02b2c3d479').filter((t) => t.format.startsWith('uuid'))).toEqual(
      [],
    );
  });

  it('reads the low 48 bits of a microsecond clock in a long hex run, known modulo its wrap', () => {
    const t = readIdentifierTimes('boundary', '000000000000c7ef2584e3dbb262').find((x) => x.format === 'hex48-us')!;
    expect(t.modulo).toBeCloseTo(2 ** 48 / 1e6);
    const date = 1730102549;
    const d = ((((t.epoch - date) % t.modulo!) + t.modulo! * 1.5) % t.modulo!) - t.modulo! / 2;
    expect(Math.abs(d)).toBeLessThan(1);
  });

  it('reads an Outlook Thread-Index header, and both readings of a reply chain', () => {
    // A new conversation: the header block alone.
    const fresh = readThreadIndexTimes('AdpIVxwAtDXoOhBrsFqRntMJok2oCA==');
    expect(fresh).toHaveLength(1);
    expect(fresh[0]!.format).toBe('thread-index:new');
    expect(Math.abs(fresh[0]!.epoch - at('2024-01-16T08:36:33Z'))).toBeLessThan(60);
    expect(readThreadIndexTimes('not base64 at all')).toEqual([]);
  });
});

describe('identifier shapes', () => {
  it('gives one shape per program, whatever digits a run happens to hold', () => {
    expect(shapeOf('f47ac10b-58cc-4372-a567-0e02b2c3d479')).toBe(shapeOf('47301234-5811-4372-a567-0e02b2c3d479'));
    expect(shapeOf('A2AD8393-9041-4E0F-90EE-426551F430D7')).toBe('h8-h4-h4-h4-h12|U');
    expect(shapeOf('000801da4857$1c007e80$3c4bf7a8$')).toBe('h12$h8$h8$|L');
    expect(shapeOf('----=_NextPart_000_0009_01DA4857.1C007E80')).toBe('----=_m8_h3_h4_h8.h8|M');
    expect(shapeOf('CA=y1NPUY1FZDQuAW3xTIK0JYbs2C_NjFhVLuB7=LHG=WTs')).toBe(shapeOf('CA+Bq7ZtW_1kPdjEeR2xNmYt8c=9s4hJQaWvN_xK0Lp'));
  });
});
