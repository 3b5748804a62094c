import { generate } from 'selfsigned';
import { describe, expect, test } from 'vitest';
import { earliestExpiry } from './certificate-expiry.js';

const DAY_MS = 24 * 3600 * 1000;

async function certificateUntil(notAfter: Date): Promise<string> {
  const pems = await generate([{ name: 'commonName', value: 'tezsigner test' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256', notAfterDate: notAfter });
  return pems.cert;
}

describe('earliestExpiry', () => {
  // X.509 times have whole seconds
  const inSeconds = (date: Date) => Math.floor(date.getTime() / 1000) * 1000;

  test('one certificate: its notAfter; a chain or bundle: the earliest, wherever it stands', async () => {
    const soon = new Date(Date.now() + 3 * DAY_MS + 1234);
    const later = new Date(Date.now() + 90 * DAY_MS);
    const [first, second] = [await certificateUntil(later), await certificateUntil(soon)];
    expect(earliestExpiry(second)).toBe(inSeconds(soon));
    expect(earliestExpiry(Buffer.from(`${first}\n${second}`))).toBe(inSeconds(soon));
    expect(earliestExpiry(`${second}${first}`)).toBe(inSeconds(soon));
  });

  test('no certificate Node can read: undefined, and a broken block among good ones is passed over', async () => {
    expect(earliestExpiry('not a certificate')).toBeUndefined();
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----';
    expect(earliestExpiry(broken)).toBeUndefined();
    const until = new Date(Date.now() + 10 * DAY_MS);
    expect(earliestExpiry(`${broken}\n${await certificateUntil(until)}`)).toBe(inSeconds(until));
  });
});
