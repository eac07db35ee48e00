import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ContactDraft } from '../../src/contact/contact.js';
import { parseVCards } from '../../src/contact/vcard.js';
import { expectWellFormed } from './well-formed.js';

const FIXTURES = new URL('../fixtures/cards/', import.meta.url);

/** What each `.vcf` fixture holds, written from the card by hand. */
const EXPECTED: Record<string, ContactDraft[]> = {
  'apple-3.0.vcf': [{ salutation: 'Mr', firstName: 'John', lastName: 'Appleseed', phone: '+1 (408) 555-5270' }],
  'apple-ios-multi-tel.vcf': [{ salutation: 'Dr', firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' }],
  'apple-ablabel-mobile.vcf': [{ salutation: 'Ms', firstName: 'Lucía', lastName: 'García', phone: '+34 612 34 56 78' }],
  'google-3.0.vcf': [{ firstName: 'Olusegun', lastName: 'Adebayo', phone: '+234 803 123 4567' }],
  'google-4.0.vcf': [{ firstName: 'Hannah', lastName: 'Schmidt', phone: '+49 151 23456789' }],
  'outlook-2.1.vcf': [{ salutation: 'Mrs', firstName: 'Siobhán', lastName: "O'Brien", phone: '+44 7700 900461' }],
  'outlook-2.1-qp.vcf': [
    {
      salutation: 'Dr',
      firstName: 'Jürgen-Hans-Wilhelm-Maximilian',
      lastName: 'Müller-Lüdenscheidt',
      phone: '+49 171 9876543',
    },
  ],
  'outlook-2.1-latin1.vcf': [{ firstName: 'Françoise', lastName: 'Lefèvre', phone: '+33 6 12 34 56 78' }],
  'android-2.1.vcf': [{ firstName: 'Jan', lastName: 'Kowalski', phone: '+48 601 234 567' }],
  'android-2.1-qp-devanagari.vcf': [{ firstName: 'राहुल', lastName: 'शर्मा', phone: '+91 98765 43210' }],
  'vcard-4.0-rfc6350.vcf': [{ firstName: 'Simon', lastName: 'Perreault', phone: '+1-418-262-6501' }],
  'vcard-4.0-tel-uri.vcf': [{ firstName: 'Ayşe', lastName: 'Yılmaz', phone: '+1-555-555-5555 ext. 5555' }],
  'multi-contact-google.vcf': [
    { firstName: 'محمد', lastName: 'الحسن', phone: '+971 50 123 4567' },
    { firstName: '小明', lastName: '王', phone: '+86 138 0013 8000' },
    { firstName: 'Иван Сергеевич', lastName: 'Петров', phone: '+7 495 123-45-67' },
  ],
  'japanese-3.0.vcf': [{ firstName: '太郎', lastName: '山田', phone: '090-1234-5678' }],
  'japanese-2.1-sjis.vcf': [{ firstName: '花子', lastName: '佐藤', phone: '080-9876-5432' }],
  'greek-fn-only.vcf': [{ firstName: 'Ελένη', lastName: 'Παπαδοπούλου', phone: '+30 21 0123 4567' }],
  'honorifics-multi.vcf': [
    { salutation: 'Ms', firstName: 'Elizabeth', lastName: 'Bennet', phone: '+44 7700 900001' },
    { salutation: 'Dr', firstName: 'John Hamish', lastName: 'Watson', phone: '+44 20 7224 3688' },
    { firstName: 'James', lastName: 'Moriarty' },
    { salutation: 'Mrs', firstName: 'Martha', lastName: 'Hudson', phone: '+44 20 7946 0000' },
    { salutation: 'Mr', firstName: 'Sherlock', lastName: 'Holmes', phone: '+44 20 7946 0221' },
  ],
  'no-name-no-phone.vcf': [{ phone: '+61 412 345 678' }, { firstName: 'Linh', lastName: 'Nguyen' }],
  'nokia-3.0-bare-params.vcf': [{ firstName: 'Matti', lastName: 'Virtanen', phone: '+358 40 123 4567' }],
  'messy-unterminated.vcf': [
    { firstName: 'Chidi', lastName: 'Okafor', phone: '+44 7700 900777' },
    { phone: '+1 555 0100' },
    { firstName: 'Amara', phone: '+234 802 000 1111' },
  ],
};

function fixture(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

describe('parseVCards fixtures', () => {
  it('has an expectation for every .vcf fixture', () => {
    const files = readdirSync(FIXTURES).filter((file) => file.endsWith('.vcf'));
    expect(files.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (file, drafts) => {
    expect(parseVCards(fixture(file))).toStrictEqual(drafts);
  });
});

describe('parseVCards', () => {
  it('unfolds 3.0/4.0 lines folded with a space or a tab', () => {
    const card = 'BEGIN:VCARD\r\nVERSION:4.0\r\nN:Natara\r\n jan;Pri\r\n\tya;;Dr;\r\nTEL;TYPE=cell:+91 998\r\n 87 76655\r\nEND:VCARD\r\n';
    expect(parseVCards(card)).toStrictEqual([{ salutation: 'Dr', firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' }]);
  });

  it('reads a tel: URI without an extension and with percent-encoding', () => {
    const card = 'BEGIN:VCARD\nVERSION:4.0\nFN:Jo Bloggs\nTEL;VALUE=uri:tel:%2B44-20-7946-0958\nEND:VCARD';
    expect(parseVCards(card)).toStrictEqual([{ firstName: 'Jo', lastName: 'Bloggs', phone: '+44-20-7946-0958' }]);
  });

  it('prefers the preferred number when none is a mobile', () => {
    const card = 'BEGIN:VCARD\nVERSION:3.0\nN:Doe;Jane;;;\nTEL;TYPE=HOME:111 1111\nTEL;TYPE=WORK,PREF:222 2222\nEND:VCARD';
    expect(parseVCards(card)).toStrictEqual([{ firstName: 'Jane', lastName: 'Doe', phone: '222 2222' }]);
  });

  it('prefers a preferred mobile over an earlier mobile', () => {
    const card = 'BEGIN:VCARD\nVERSION:4.0\nN:Doe;Jane;;;\nTEL;TYPE=cell:111 1111\nTEL;TYPE=cell;PREF=1:222 2222\nEND:VCARD';
    expect(parseVCards(card)).toStrictEqual([{ firstName: 'Jane', lastName: 'Doe', phone: '222 2222' }]);
  });

  it('splits FN when N is empty', () => {
    const card = 'BEGIN:VCARD\nVERSION:3.0\nN:;;;;\nFN:Doctor Ana Lima\nEND:VCARD';
    expect(parseVCards(card)).toStrictEqual([{ salutation: 'Dr', firstName: 'Ana', lastName: 'Lima' }]);
  });

  it('keeps particles with the family name when it splits FN', () => {
    const card = 'BEGIN:VCARD\nVERSION:3.0\nN:;;;;\nFN:Ludwig van Beethoven\nEND:VCARD';
    expect(parseVCards(card)).toStrictEqual([{ firstName: 'Ludwig', lastName: 'van Beethoven' }]);
  });

  it('reads the first five numbers of a card, and the labels of those only', () => {
    const works = Array.from({ length: 5 }, (_, n) => `TEL;TYPE=work:+1 212 555 010${n}`).join('\r\n');
    const card = (more: string) => `BEGIN:VCARD\r\nVERSION:3.0\r\nN:Hart;Amelia;;;\r\n${works}\r\n${more}\r\nEND:VCARD\r\n`;
    expect(parseVCards(card('TEL;TYPE=cell:+44 7700 900555'))).toStrictEqual([
      { firstName: 'Amelia', lastName: 'Hart', phone: '+1 212 555 0100' },
    ]);
    expect(parseVCards(card('item6.TEL:+44 7700 900555\r\nitem6.X-ABLABEL:mobile'))).toStrictEqual([
      { firstName: 'Amelia', lastName: 'Hart', phone: '+1 212 555 0100' },
    ]);
  });

  it('reads the first N and FN of a card', () => {
    const card =
      'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Amelia Hart\r\nFN:Junk Name\r\nN:;;;;\r\nN:Junk;Name;;;\r\nTEL:+44 7700 900555\r\nEND:VCARD\r\n';
    expect(parseVCards(card)).toStrictEqual([{ firstName: 'Amelia', lastName: 'Hart', phone: '+44 7700 900555' }]);
  });

  it('reads a card whose line passes 1,000 characters from what fits', () => {
    const longParameters = `TEL;${'TYPE=work;'.repeat(200)}:+1 555 0100`;
    const longName = `FN;ENCODING=QUOTED-PRINTABLE:Jo Bloggs${'=20=\r\n'.repeat(500)}Junior`;
    const card = ['BEGIN:VCARD', 'VERSION:2.1', longParameters, longName, 'TEL;CELL:+44 7700 900123', 'END:VCARD'].join('\r\n');
    expect(parseVCards(card)).toStrictEqual([{ firstName: 'Jo', lastName: 'Bloggs', phone: '+44 7700 900123' }]);
  });

  it('unfolds a quoted-printable soft break after a folded parameter line', () => {
    const card = 'BEGIN:VCARD\nVERSION:2.1\nFN;CHARSET=UTF-8;ENCODING=QUOTED-\n PRINTABLE:Jo=\n=20Bloggs\nEND:VCARD';
    expect(parseVCards(card)).toStrictEqual([{ firstName: 'Jo', lastName: 'Bloggs' }]);
  });

  it.each(['', 'hello', 'BEGIN:VCARD', 'END:VCARD', 'BEGIN:VCALENDAR\nEND:VCALENDAR', 'BEGIN:VCARD\nTEL;;;:\nEND:VCARD'])(
    'finds no contact in %j',
    (text) => {
      expect(parseVCards(text)).toStrictEqual([]);
    },
  );
});

const line = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc
    .tuple(
      fc.constantFrom('N', 'FN', 'TEL', 'item1.TEL', 'item1.X-ABLabel', 'VERSION', 'BEGIN', 'END', 'PHOTO', 'n', 'tel'),
      fc.array(
        fc.constantFrom(';CELL', ';TYPE=cell', ';PREF=1', ';ENCODING=QUOTED-PRINTABLE', ';CHARSET=x', ';VALUE=uri', ';"', ';;', ';='),
      ),
      fc.string({ unit: 'binary' }),
    )
    .map(([name, params, value]) => `${name}${params.join('')}:${value}`),
);
const newline = fc.constantFrom('\r\n', '\n', '\r', '=\r\n', '\r\n ', '\n\t');
const wrapped = fc
  .tuple(fc.array(fc.tuple(line, newline)), fc.constantFrom('END:VCARD', ''))
  .map(([lines, end]) => `BEGIN:VCARD\r\n${lines.map(([text, nl]) => text + nl).join('')}${end}`);

describe('parseVCards on any input', () => {
  it('never throws and gives well-formed drafts', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string({ unit: 'binary' }),
          wrapped,
          fc.array(wrapped).map((cards) => cards.join('\n')),
        ),
        (text) => {
          const drafts = parseVCards(text);
          expect(Array.isArray(drafts)).toBe(true);
          drafts.forEach(expectWellFormed);
        },
      ),
      { numRuns: 500 },
    );
  });
});
