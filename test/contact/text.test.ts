import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SALUTATIONS, type ContactDraft } from '../../src/contact/contact.js';
import { parseContactText, type TextDraft } from '../../src/contact/text.js';

const drafts: Array<[input: string, draft: ContactDraft]> = [
  ['Dr. Priya Natarajan +91 99887 76655', { salutation: 'Dr', firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' }],
  ['Arjun Mehta, 098765 43210', { firstName: 'Arjun', lastName: 'Mehta', phone: '098765 43210' }],
  ['Mr Arjun Mehta +91 98765 43210', { salutation: 'Mr', firstName: 'Arjun', lastName: 'Mehta', phone: '+91 98765 43210' }],
  ['Mrs Kavya Iyer 098765-43210', { salutation: 'Mrs', firstName: 'Kavya', lastName: 'Iyer', phone: '098765-43210' }],
  ['+44 7700 900123 John Smith', { firstName: 'John', lastName: 'Smith', phone: '+44 7700 900123' }],
  [
    'Ms. Ana María López-García (555) 123-4567 x12',
    { salutation: 'Ms', firstName: 'Ana María', lastName: 'López-García', phone: '(555) 123-4567 x12' },
  ],
  ['प्रिया नटराजन +91 99887 76655', { firstName: 'प्रिया', lastName: 'नटराजन', phone: '+91 99887 76655' }],
  ['محمد علي ٠٥٠١٢٣٤٥٦٧', { firstName: 'محمد', lastName: 'علي', phone: '٠٥٠١٢٣٤٥٦٧' }],
  ['王小明 +86 131 2345 6789', { firstName: '王小明', phone: '+86 131 2345 6789' }],
  ['Иван Петров 8 (912) 345-67-89', { firstName: 'Иван', lastName: 'Петров', phone: '8 (912) 345-67-89' }],
  ['miss jane doe 0412 345 678', { salutation: 'Ms', firstName: 'jane', lastName: 'doe', phone: '0412 345 678' }],
  ['DOCTOR Who', { salutation: 'Dr', firstName: 'Who' }],
  ['DR.Kavya  Iyer', { salutation: 'Dr', firstName: 'Kavya', lastName: 'Iyer' }],
  ['Mx Sam Taylor 07400 123456', { firstName: 'Sam', lastName: 'Taylor', phone: '07400 123456' }],
  ['Drew Barrymore 212 555 0123', { firstName: 'Drew', lastName: 'Barrymore', phone: '212 555 0123' }],
  ['John (+91 98765 43210) Smith', { firstName: 'John', lastName: 'Smith', phone: '+91 98765 43210' }],
  ['Name: Arjun Mehta | Phone: +91 98765 43210', { firstName: 'Arjun', lastName: 'Mehta', phone: '+91 98765 43210' }],
  ['+1 212 555 0123 ext. 42 - Jane Roe', { firstName: 'Jane', lastName: 'Roe', phone: '+1 212 555 0123 ext. 42' }],
  ['tel:+1-212-555-0123;ext=42', { phone: '+1-212-555-0123;ext=42' }],
  [
    'Mr. Juan Carlos de la Cruz: 0034 612 34 56 78',
    { salutation: 'Mr', firstName: 'Juan Carlos', lastName: 'de la Cruz', phone: '0034 612 34 56 78' },
  ],
  ['Anil Kumar 98765ABCDE', { firstName: 'Anil', lastName: 'Kumar', phone: '98765ABCDE' }],
  ['Anil Kumar 1-800-FLOWERS', { firstName: 'Anil', lastName: 'Kumar', phone: '1-800-FLOWERS' }],
  ['王伟 13800138000王芳', { firstName: '王伟', lastName: '王芳', phone: '13800138000' }],
  ['Madonna', { firstName: 'Madonna' }],
  ['  ', {}],
  ['', {}],
];

describe('parseContactText', () => {
  it.each(drafts)('reads %j', (input, draft) => {
    expect(parseContactText(input)).toEqual(draft);
  });

  it('takes the longest run of digits as the phone', () => {
    expect(parseContactText('Agent 7 Lee +65 8123 4567')).toEqual({
      firstName: 'Agent 7',
      lastName: 'Lee',
      phone: '+65 8123 4567',
    });
  });
});

describe('parseContactText names', () => {
  // Address books take the last word as the family name, with the particles before it, and the words before as given names.
  it.each<[string, ContactDraft]>([
    ['Carlos Eduardo Souza – +55 11 91234-5678', { firstName: 'Carlos Eduardo', lastName: 'Souza', phone: '+55 11 91234-5678' }],
    ['Ludwig van Beethoven', { firstName: 'Ludwig', lastName: 'van Beethoven' }],
    ['Anna van der Berg 06 12345678', { firstName: 'Anna', lastName: 'van der Berg', phone: '06 12345678' }],
    ['Ahmed Al-Farsi', { firstName: 'Ahmed', lastName: 'Al-Farsi' }],
    ['Ahmed al Farsi', { firstName: 'Ahmed', lastName: 'al Farsi' }],
    ['Mohammed bin Salman', { firstName: 'Mohammed', lastName: 'bin Salman' }],
    ['Maria da Silva', { firstName: 'Maria', lastName: 'da Silva' }],
    ['Edson Arantes do Nascimento', { firstName: 'Edson Arantes', lastName: 'do Nascimento' }],
    ['Van Morrison', { firstName: 'Van', lastName: 'Morrison' }],
    ['Kumar, Anil +91 98765 43220', { firstName: 'Anil', lastName: 'Kumar', phone: '+91 98765 43220' }],
    ['Smith, Dr. John', { salutation: 'Dr', firstName: 'John', lastName: 'Smith' }],
    // `Last, First` needs one word (with its particles) before the comma; otherwise the comma ends the name.
    ['de la Cruz, Juan', { firstName: 'Juan', lastName: 'de la Cruz' }],
    ['Priya Natarajan, Acme Corp, +91 99887 76655', { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' }],
    ['Priya Natarajan, Acme +91 99887 76655', { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' }],
    // An email address is not a name part.
    ['Priya Natarajan (priya@acme.example) +91 99887 76655', { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' }],
    // A request's lower-case words before a capitalised name are not part of it; particles are.
    ['Please add Priya Natarajan +91 99887 76655', { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' }],
    ['new contact Priya Natarajan', { firstName: 'Priya', lastName: 'Natarajan' }],
    ['add Priya Natarajan', { firstName: 'Priya', lastName: 'Natarajan' }],
    ['Juan de la Cruz', { firstName: 'Juan', lastName: 'de la Cruz' }],
    ['bell hooks', { firstName: 'bell', lastName: 'hooks' }],
    ['Anna maria Rossi', { firstName: 'Anna maria', lastName: 'Rossi' }],
  ])('reads %j', (input, draft) => {
    expect(parseContactText(input)).toEqual(draft);
  });
});

describe('parseContactText unplaced text', () => {
  it.each<[string, TextDraft]>([
    ['Anil Kumar +91 98765 43220 x12ab', { firstName: 'Anil', lastName: 'Kumar', phone: '+91 98765 43220', unplaced: ['x12ab'] }],
    ['Anil Kumar +91 98765 43220 ext abc', { firstName: 'Anil', lastName: 'Kumar', phone: '+91 98765 43220', unplaced: ['ext abc'] }],
    ['Anil Kumar +91 98765 43220 ext.', { firstName: 'Anil', lastName: 'Kumar', phone: '+91 98765 43220', unplaced: ['ext.'] }],
    [
      'Anil Kumar +91 98765 43220 x 12345678901',
      { firstName: 'Anil', lastName: 'Kumar', phone: '+91 98765 43220', unplaced: ['x 12345678901'] },
    ],
    ['Anil Kumar 98765 43220, 020 7946', { firstName: 'Anil', lastName: 'Kumar', phone: '98765 43220', unplaced: ['020 7946'] }],
  ])('names what it could not place in %j', (input, draft) => {
    expect(parseContactText(input)).toStrictEqual(draft);
  });

  it.each([
    'Anil Kumar +91 98765 43220 x12',
    'Anil Kumar +91 98765 43220 ext. 12',
    'Anil Kumar +91 98765 43220 #12',
    'Xavier Extra +91 98765 43220',
  ])('places everything in %j', (input) => {
    expect(parseContactText(input).unplaced).toBeUndefined();
  });
});

describe('parseContactText caps', () => {
  it('reads the first 1,000 characters of a line', () => {
    expect(parseContactText(`Priya Natarajan +91 99887 76655${' '.repeat(1_000)}Kumar`)).toEqual({
      firstName: 'Priya',
      lastName: 'Natarajan',
      phone: '+91 99887 76655',
    });
  });

  it('reads the first 8,000 characters of the text', () => {
    const lines = `${'-'.repeat(999)}\n`.repeat(8);
    expect(parseContactText(`Priya Natarajan\n${lines}+91 99887 76655`)).toEqual({ firstName: 'Priya', lastName: 'Natarajan' });
  });
});

describe('parseContactText properties', () => {
  const anyText = fc.oneof(
    fc.string(),
    fc.string({ unit: 'binary' }),
    fc.string({ unit: 'grapheme' }),
    fc.string({ unit: fc.constantFrom(...'Mr. Dr 0123456789 +-()x#ext:,|٠۵०अ李'.split('')), maxLength: 40 }),
  );

  it('never throws, keeps the phone as written and only offers known salutations', () => {
    fc.assert(
      fc.property(anyText, (text) => {
        const draft = parseContactText(text);
        if (draft.phone !== undefined) expect(text).toContain(draft.phone);
        expect([...SALUTATIONS, undefined]).toContain(draft.salutation);
      }),
      { numRuns: 500 },
    );
  });

  it('reads back a contact written as salutation, given names, family name and number', () => {
    const word = fc.constantFrom('Priya', 'Arjun', 'José', 'Анна', 'प्रिया', 'محمد', '李', 'O’Brien', 'López-García');
    fc.assert(
      fc.property(
        fc.constantFrom(...SALUTATIONS),
        fc.array(word, { maxLength: 3 }),
        word,
        fc.constantFrom('+91 98765 43210', '(555) 123-4567 x12', '0044 7400 123456', '٠٥٠١٢٣٤٥٦٧'),
        fc.constantFrom(' ', ', ', ' - ', ' | '),
        (salutation, givenNames, familyName, phone, gap) => {
          const draft = parseContactText(`${salutation}. ${[...givenNames, familyName].join(' ')}${gap}${phone}`);
          expect(draft).toEqual({
            salutation,
            ...(givenNames.length > 0 ? { firstName: givenNames.join(' '), lastName: familyName } : { firstName: familyName }),
            phone,
          });
        },
      ),
    );
  });
});
