import { describe, it, expect } from 'vitest';
import fc from 'fast-check';
import { SALUTATIONS, type ContactDraft } from '../../src/contact/contact.js';
import { parseContactText } from '../../src/contact/text.js';

const drafts: Array<[input: string, draft: ContactDraft]> = [
  [
    'Dr. Priya Natarajan +91 99887 76655',
    { salutation: 'Dr', firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' },
  ],
  ['Arjun Mehta, 098765 43210', { firstName: 'Arjun', lastName: 'Mehta', phone: '098765 43210' }],
  [
    'Mr Arjun Mehta +91 98765 43210',
    { salutation: 'Mr', firstName: 'Arjun', lastName: 'Mehta', phone: '+91 98765 43210' },
  ],
  ['Mrs Kavya Iyer 098765-43210', { salutation: 'Mrs', firstName: 'Kavya', lastName: 'Iyer', phone: '098765-43210' }],
  ['+44 7700 900123 John Smith', { firstName: 'John', lastName: 'Smith', phone: '+44 7700 900123' }],
  [
    'Ms. Ana María López-García (555) 123-4567 x12',
    { salutation: 'Ms', firstName: 'Ana', lastName: 'María López-García', phone: '(555) 123-4567 x12' },
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
  [
    'Name: Arjun Mehta | Phone: +91 98765 43210',
    { firstName: 'Arjun', lastName: 'Mehta', phone: '+91 98765 43210' },
  ],
  ['+1 212 555 0123 ext. 42 - Jane Roe', { firstName: 'Jane', lastName: 'Roe', phone: '+1 212 555 0123 ext. 42' }],
  ['tel:+1-212-555-0123;ext=42', { phone: '+1-212-555-0123;ext=42' }],
  [
    'Mr. Juan Carlos de la Cruz: 0034 612 34 56 78',
    { salutation: 'Mr', firstName: 'Juan', lastName: 'Carlos de la Cruz', phone: '0034 612 34 56 78' },
  ],
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
      firstName: 'Agent',
      lastName: '7 Lee',
      phone: '+65 8123 4567',
    });
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

  it('reads back a contact written as salutation, name and number', () => {
    const word = fc.constantFrom('Priya', 'Arjun', 'José', 'Анна', 'प्रिया', 'محمد', '李', 'O’Brien', 'López-García');
    fc.assert(
      fc.property(
        fc.constantFrom(...SALUTATIONS),
        word,
        fc.array(word, { maxLength: 3 }),
        fc.constantFrom('+91 98765 43210', '(555) 123-4567 x12', '0044 7400 123456', '٠٥٠١٢٣٤٥٦٧'),
        fc.constantFrom(' ', ', ', ' - ', ' | '),
        (salutation, firstName, lastNames, phone, gap) => {
          const draft = parseContactText(`${salutation}. ${[firstName, ...lastNames].join(' ')}${gap}${phone}`);
          expect(draft).toEqual({
            salutation,
            firstName,
            ...(lastNames.length > 0 ? { lastName: lastNames.join(' ') } : {}),
            phone,
          });
        },
      ),
    );
  });
});
