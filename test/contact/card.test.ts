import { readdirSync, readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseCard, type MessageCard } from '../../src/contact/card.js';
import type { ContactDraft } from '../../src/contact/contact.js';
import { parseVCards } from '../../src/contact/vcard.js';
import { expectWellFormed } from './well-formed.js';

const FIXTURES = new URL('../fixtures/cards/', import.meta.url);

/** What each text (`.txt`, the message text) and Block Kit (`.json`, a MessageCard) fixture holds, written by hand. */
const EXPECTED: Record<string, ContactDraft[]> = {
  'labelled-lines.txt': [{ firstName: 'John', lastName: 'Smith', phone: '+44 7700 900123' }],
  'labelled-one-line-pipes.txt': [{ firstName: 'John', lastName: 'Smith', phone: '+44 7700 900123' }],
  'slack-bold-labels.txt': [{ salutation: 'Dr', firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' }],
  'first-last-salutation.txt': [{ salutation: 'Mrs', firstName: 'Anjali', lastName: 'Deshpande', phone: '+91 98200 11223' }],
  'name-dash-number-list.txt': [
    { firstName: 'Rohan', lastName: 'Mehta', phone: '+91 98220 12345' },
    { firstName: 'Sneha', lastName: 'Kulkarni', phone: '+91 98600 54321' },
    { salutation: 'Dr', firstName: 'Arvind', lastName: 'Rao', phone: '+91 20 2612 3456' },
  ],
  'name-then-number.txt': [{ firstName: 'Marek', lastName: 'Nowak', phone: '+48 601 234 567' }],
  'multiple-labelled-contacts.txt': [
    { firstName: 'Aisha', lastName: 'Khan', phone: '+971 50 765 4321' },
    { firstName: 'Tomás', lastName: 'Rodríguez', phone: '+34 699 123 456' },
    { firstName: 'Mei', lastName: 'Lin', phone: '+65 6123 4567' },
  ],
  'phone-first-labels.txt': [
    { firstName: 'Charlotte', lastName: 'Wilson', phone: '0412 345 678' },
    { firstName: 'Jack', lastName: 'Taylor', phone: '0423 456 789' },
  ],
  'signature-abbreviations.txt': [{ firstName: 'Kwame', lastName: 'Mensah', phone: '+233 24 123 4567' }],
  'equals-labels.txt': [{ firstName: 'Fatima', lastName: 'Zahra', phone: '+212 6 12 34 56 78' }],
  'non-latin-labelled.txt': [
    { firstName: '王小明', phone: '+86 138 0013 8000' },
    { firstName: 'Αλέξανδρος', lastName: 'Παπαδόπουλος', phone: '+30 694 123 4567' },
    { firstName: 'أحمد', lastName: 'منصور', phone: '+20 100 123 4567' },
    { firstName: 'Дмитрий', lastName: 'Иванов', phone: '+7 916 123-45-67' },
  ],
  'contact-label-number.txt': [{ firstName: 'Ramesh Kumar', lastName: 'Sharma', phone: '9876543210' }],
  'slack-mrkdwn-new-contact.txt': [{ firstName: 'Ahmed', lastName: 'Al-Farsi', phone: '+971 50 123 4567' }],
  'customer-name-label.txt': [{ firstName: 'Carlos Eduardo', lastName: 'Souza', phone: '+55 11 91234-5678' }],
  'whatsapp-over-phone.txt': [{ firstName: 'Lerato', lastName: 'Dlamini', phone: '+27 82 555 0123' }],
  'label-on-own-line.txt': [{ firstName: 'Yuki', lastName: 'Tanaka', phone: '+81 90-1234-5678' }],
  'chatter-only.txt': [],
  'pasted-vcard.txt': [{ firstName: 'Karim', lastName: 'Haddad', phone: '+961 3 123 456' }],
  'quoted-forward.txt': [{ firstName: 'Ingrid', lastName: 'Larsen', phone: '+47 912 34 567' }],
  'comma-name.txt': [{ firstName: 'Jane', lastName: 'Smith', phone: '(555) 010-4477 ext. 12' }],
  'name-company-comma.txt': [{ firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' }],
  'name-email-above-number.txt': [{ firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' }],
  'french-portable-label.txt': [{ firstName: 'Jean-Luc', lastName: 'Picard', phone: '+33 6 12 34 56 78' }],
  'request-words-before-name.txt': [{ firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' }],
  'workflow-form.json': [{ firstName: 'Amelia', lastName: 'Hart', phone: '+44 7700 900555' }],
  'section-fields-bot.json': [{ salutation: 'Dr', firstName: 'Maximilian', lastName: 'von Bergen', phone: '+49 170 1234567' }],
  'attachment-fields.json': [{ firstName: 'Olivia', lastName: 'Brown', phone: '(212) 555-0199' }],
  'rich-text-duplicate.json': [{ firstName: 'Sipho', lastName: 'Ndlovu', phone: '+27 82 123 4567' }],
  'vcard-files-and-text.json': [
    { firstName: '伟', lastName: '张', phone: '+86-139-1234-5678' },
    { firstName: 'Jean-François', lastName: 'Bérubé', phone: '+1 514 555 0100' },
  ],
  'blocks-multiple-contacts.json': [
    { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' },
    { firstName: 'Liam', lastName: "O'Connor", phone: '+353 87 123 4567' },
    { firstName: 'Chen', lastName: 'Jie', phone: '+86 138 1234 5678' },
  ],
  'field-with-labelled-value.json': [{ firstName: 'Noah', lastName: 'Williams', phone: '+61 400 123 456' }],
  'vcard-and-same-text.json': [{ firstName: 'Lucía', lastName: 'García', phone: '+34 612 345 678' }],
  'empty.json': [],
};

function card(file: string): MessageCard {
  const raw = readFileSync(new URL(file, FIXTURES), 'utf8');
  if (file.endsWith('.json')) return JSON.parse(raw) as MessageCard;
  if (file.endsWith('.vcf')) return { vcards: [raw] };
  return { text: raw };
}

describe('parseCard fixtures', () => {
  const files = readdirSync(FIXTURES);

  it('has an expectation for every text and block fixture', () => {
    expect(files.filter((file) => !file.endsWith('.vcf')).sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  it.each(Object.entries(EXPECTED))('%s', (file, drafts) => {
    expect(parseCard(card(file))).toStrictEqual({ drafts });
  });

  it.each(files.filter((file) => file.endsWith('.vcf')))('reads the attached %s as parseVCards does', (file) => {
    const { vcards = [] } = card(file);
    expect(parseCard({ vcards }).drafts).toStrictEqual(vcards.flatMap((vcard) => parseVCards(vcard)));
  });
});

describe('parseCard', () => {
  it('puts vCard files before the text cards', () => {
    const vcard = 'BEGIN:VCARD\nVERSION:3.0\nN:Roy;Arundhati;;;\nTEL:+91 80 1234 5678\nEND:VCARD';
    expect(parseCard({ text: 'Name: Vikram Seth | Cell: +91 98450 00000', vcards: [vcard] }).drafts).toStrictEqual([
      { firstName: 'Arundhati', lastName: 'Roy', phone: '+91 80 1234 5678' },
      { firstName: 'Vikram', lastName: 'Seth', phone: '+91 98450 00000' },
    ]);
  });

  it('reads the text when the blocks hold no contact', () => {
    expect(parseCard({ text: 'Tel: 020 7946 0958', blockTexts: ['*Heads up*'] }).drafts).toStrictEqual([{ phone: '020 7946 0958' }]);
  });

  it('keeps a draft with only a name', () => {
    expect(parseCard({ text: '*Full name:* Grace Hopper' }).drafts).toStrictEqual([{ firstName: 'Grace', lastName: 'Hopper' }]);
  });

  it('ignores a job title given as Title', () => {
    expect(parseCard({ text: 'Name: Ada Lovelace\nTitle: Analyst\nMobile: 07700 900999' }).drafts).toStrictEqual([
      { firstName: 'Ada', lastName: 'Lovelace', phone: '07700 900999' },
    ]);
  });

  it('does not take the value under another label for the name above a number', () => {
    expect(parseCard({ text: 'Company:\nAcme Ltd\nMobile: 07700 900321' }).drafts).toStrictEqual([{ phone: '07700 900321' }]);
  });

  it('takes a name on the line above a number', () => {
    expect(parseCard({ text: 'Please save:\nDr. Ana Lima\n<tel:+5511987654321|+55 11 98765-4321>' }).drafts).toStrictEqual([
      { salutation: 'Dr', firstName: 'Ana', lastName: 'Lima', phone: '+55 11 98765-4321' },
    ]);
  });

  it('keeps particles with the family name of a labelled name', () => {
    expect(parseCard({ text: 'Name: Ludwig van Beethoven\nTel: +49 228 981 750' }).drafts).toStrictEqual([
      { firstName: 'Ludwig', lastName: 'van Beethoven', phone: '+49 228 981 750' },
    ]);
  });

  it('reads a label after one word only with a colon, and not a one-letter label', () => {
    expect(parseCard({ text: 'Primary mobile: 07700 900321' }).drafts).toStrictEqual([{ phone: '07700 900321' }]);
    expect(parseCard({ text: 'Priya M: 07700 900321' }).drafts).toStrictEqual([
      { firstName: 'Priya', lastName: 'M', phone: '07700 900321' },
    ]);
    expect(parseCard({ text: 'Rahul M\n07700 900321' }).drafts).toStrictEqual([
      { firstName: 'Rahul', lastName: 'M', phone: '07700 900321' },
    ]);
  });

  it.each(['Portable', 'Móvil', 'Movil', 'Celular', 'Handy', 'Mobil', 'Cell phone', 'Mobile phone'])(
    'reads %j as a mobile label, with or without a space before the colon, over a work number',
    (label) => {
      for (const colon of [':', ' :']) {
        expect(parseCard({ text: `Hannah Schmidt\nWork: +49 30 1234567\n${label}${colon} +49 151 23456789` }).drafts).toStrictEqual([
          { firstName: 'Hannah', lastName: 'Schmidt', phone: '+49 151 23456789' },
        ]);
      }
    },
  );

  it('takes a name with an email beside it, on the line above a number', () => {
    expect(parseCard({ text: 'Priya Natarajan (<mailto:priya@acme.example|priya@acme.example>)\n+91 99887 76655' }).drafts).toStrictEqual([
      { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' },
    ]);
  });

  it('reads a line longer than the cap from its first 1,000 characters', () => {
    const chatter = `please save ${'this '.repeat(400)}`;
    expect(parseCard({ text: `${chatter}\nName: Priya Natarajan\nMobile: +91 99887 76655` }).drafts).toStrictEqual([
      { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' },
    ]);
    expect(parseCard({ text: `Name: Priya Natarajan | ${'x'.repeat(1_000)} | Mobile: +91 99887 76655` }).drafts).toStrictEqual([
      { firstName: 'Priya', lastName: 'Natarajan' },
    ]);
  });

  it('shares the 8,000-character cap among blocks, fields and text, blocks first', () => {
    const filler = `${'-'.repeat(999)}\n`.repeat(8);
    expect(parseCard({ blockTexts: ['Name: Priya Natarajan', filler, 'Mobile: +91 99887 76655'] }).drafts).toStrictEqual([
      { firstName: 'Priya', lastName: 'Natarajan' },
    ]);
    expect(parseCard({ blockTexts: ['Name: Priya Natarajan', filler], text: 'BEGIN:VCARD\nFN:Jo Bloggs\nEND:VCARD' }).drafts).toStrictEqual(
      [{ firstName: 'Priya', lastName: 'Natarajan' }],
    );
  });

  it('does not take a hyphenated word for a label', () => {
    expect(parseCard({ text: 'Tel-Aviv office' }).drafts).toStrictEqual([]);
  });
});

const slackish = fc.oneof(
  fc.string({ unit: 'binary' }),
  fc
    .array(
      fc.oneof(
        fc.constantFrom('Name', '*Name:*', 'Mobile', '*Cell*:', 'Title', 'Contact', 'WhatsApp', 'Tel', '|', '–', '=', ':', '\n', ' '),
        fc.constantFrom('<tel:+4477|+44 77>', '<mailto:a@b|a@b>', '<@U1>', '&amp;', '&lt;', '_', '```', 'BEGIN:VCARD', 'END:VCARD'),
        fc.string({ unit: 'binary' }),
        fc.stringMatching(/^\+?[0-9 ()-]{0,16}$/),
      ),
    )
    .map((parts) => parts.join('')),
);
const messageCard: fc.Arbitrary<MessageCard> = fc.record(
  {
    text: slackish,
    blockTexts: fc.array(slackish, { maxLength: 4 }),
    fields: fc.array(fc.record({ title: slackish, value: slackish }), { maxLength: 4 }),
    vcards: fc.array(
      slackish.map((body) => `BEGIN:VCARD\n${body}\nEND:VCARD`),
      { maxLength: 2 },
    ),
  },
  { requiredKeys: [] },
);

describe('parseCard on any input', () => {
  it('never throws and gives well-formed drafts', () => {
    fc.assert(
      fc.property(messageCard, (message) => {
        const { drafts } = parseCard(message);
        drafts.forEach(expectWellFormed);
      }),
      { numRuns: 500 },
    );
  });

  it('never throws on a bare string as the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (text) => {
        parseCard({ text }).drafts.forEach(expectWellFormed);
      }),
    );
  });
});
