import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { ImportRow } from '../../src/contact/import-file.js';
import { previewImport } from '../../src/contact/import-preview.js';

function row(line: number, input: ImportRow['input'], problem?: string): ImportRow {
  return { line, input, ...(problem ? { problem } : {}) };
}

describe('previewImport', () => {
  it('sorts rows into ready, invalid and repeated, keeping the first of a repeated number', async () => {
    const preview = await previewImport(
      [
        row(2, { firstName: 'Priya', lastName: 'Natarajan', phone: '99887 76655' }),
        row(3, { firstName: 'Priya', lastName: 'N', phone: '+91 99887 76655' }),
        row(4, { firstName: 'John', lastName: 'Smith', phone: '07400 123456', country: 'GB' }),
        row(5, { firstName: 'Jo', lastName: 'Smith', phone: '+44 7400 123456' }),
        row(6, { firstName: 'Bad', lastName: 'Number', phone: '123' }),
        row(7, { firstName: 'Priya', lastName: 'Natarajan', phone: '0099887766550' }),
      ],
      'IN',
    );
    expect(preview.ready.map(({ line, contact }) => [line, contact.phone.e164])).toEqual([
      [2, '+919988776655'],
      [4, '+447400123456'],
    ]);
    expect(preview.repeated).toEqual([
      { line: 3, firstLine: 2 },
      { line: 5, firstLine: 4 },
    ]);
    expect(preview.invalid.map((invalid) => invalid.line)).toEqual([6, 7]);
  });

  it('reads a number without + in the row country, else in the default country', async () => {
    const preview = await previewImport(
      [
        row(2, { firstName: 'A', lastName: 'B', phone: '0171 9876543', country: 'DE' }),
        row(3, { firstName: 'C', lastName: 'D', phone: '98765 43210' }),
      ],
      'IN',
    );
    expect(preview.ready.map(({ contact }) => contact.phone.e164)).toEqual(['+491719876543', '+919876543210']);
    const elsewhere = await previewImport([row(2, { firstName: 'C', lastName: 'D', phone: '98765 43210' })], 'GB');
    expect(elsewhere.ready).toEqual([]);
  });

  it('names each field at fault in the words of the form', async () => {
    const preview = await previewImport(
      [
        row(2, { salutation: 'Herr', firstName: ' ', lastName: 'Zimmer', phone: 'call me', extension: 'abc' }),
        row(3, { firstName: 'Ann', phone: '+44 7400 123456' }),
      ],
      'GB',
    );
    expect(preview.invalid).toEqual([
      {
        line: 2,
        reason:
          'Salutation: Choose Mr, Mrs, Ms or Dr. First name: Enter a name. ' +
          "Phone number: That doesn't look like a phone number. Type the digits, e.g. +44 7400 123456. Extension: Use digits only, up to 10.",
      },
      { line: 3, reason: 'Last name: Enter a name.' },
    ]);
  });

  it("gives a row's own problem as its reason without validating it", async () => {
    const problem = 'Excel wrote this number as 9.18E+11, which lost its digits: format the column as Text and export again.';
    const preview = await previewImport([row(9, { firstName: 'A', lastName: 'B', phone: '9.18E+11' }, problem)], 'GB');
    expect(preview).toEqual({ ready: [], invalid: [{ line: 9, reason: problem }], repeated: [] });
  });

  it('keeps the extension and salutation of a ready contact', async () => {
    const preview = await previewImport(
      [row(2, { salutation: 'Dr', firstName: 'Priya', lastName: 'Natarajan', phone: '9876543210', extension: '12' })],
      'IN',
    );
    expect(preview.ready[0]?.contact).toMatchObject({
      salutation: 'Dr',
      firstName: 'Priya',
      lastName: 'Natarajan',
      phone: { e164: '+919876543210', extension: '12' },
    });
  });

  it('puts every row in exactly one list, with no number ready twice', async () => {
    const phones = ['+91 99887 76655', '99887 76655', '+44 7400 123456', '07400 123456', '+1 212 555 0101', '123', 'x', '', '9.18E+11'];
    const input = fc.record(
      {
        firstName: fc.constantFrom('Priya', '', ' ', 'A'.repeat(81)),
        lastName: fc.constantFrom('Natarajan', ''),
        phone: fc.constantFrom(...phones),
        country: fc.constantFrom('IN' as const, 'GB' as const, 'US' as const),
        extension: fc.constantFrom('12', 'abc'),
      },
      { requiredKeys: ['phone'] },
    );
    const rows = fc.array(fc.tuple(input, fc.option(fc.constant('A problem.'), { nil: undefined })), { maxLength: 40 });
    await fc.assert(
      fc.asyncProperty(rows, fc.constantFrom('IN' as const, 'GB' as const), async (drawn, defaultCountry) => {
        const imported = drawn.map(([values, problem], index) => row(index + 2, values, problem));
        const { ready, invalid, repeated } = await previewImport(imported, defaultCountry);
        expect(ready.length + invalid.length + repeated.length).toBe(imported.length);
        const lines = [...ready, ...invalid, ...repeated].map((entry) => entry.line).sort((a, b) => a - b);
        expect(lines).toEqual(imported.map((entry) => entry.line));
        const numbers = ready.map(({ contact }) => contact.phone.e164);
        expect(new Set(numbers).size).toBe(numbers.length);
        for (const { firstLine } of repeated) expect(ready.some((entry) => entry.line === firstLine)).toBe(true);
      }),
    );
  });
});
