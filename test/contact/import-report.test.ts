import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { notCreatedCsv, type NotCreatedRow } from '../../src/contact/import-report.js';

const HEADER = ['line', 'salutation', 'first_name', 'last_name', 'phone', 'country', 'extension', 'reason'];

/** The cells of a report as a spreadsheet reads them. */
function cellsOf(csv: string): string[][] {
  return parse(csv, { bom: true, relax_column_count: false });
}

describe('notCreatedCsv', () => {
  it('writes a UTF-8 BOM, the header and a row per contact not created, CRLF-ended', () => {
    const csv = notCreatedCsv([
      {
        line: 4,
        salutation: 'Dr',
        firstName: 'Zoë',
        lastName: 'Brontë, Jr',
        phone: '+44 7400 123456',
        country: 'GB',
        extension: null,
        reason: 'Phone number: That isn\'t a valid number in United Kingdom (GB). Check the "digits".',
      },
      { line: 7, reason: 'Excel wrote this number as 9.18E+11, which lost its digits.' },
    ]);
    expect(csv.startsWith('\uFEFFline,salutation,first_name,last_name,phone,country,extension,reason\r\n')).toBe(true);
    expect(csv.endsWith('\r\n')).toBe(true);
    expect(cellsOf(csv)).toEqual([
      HEADER,
      [
        '4',
        'Dr',
        'Zoë',
        'Brontë, Jr',
        '+44 7400 123456',
        'GB',
        '',
        'Phone number: That isn\'t a valid number in United Kingdom (GB). Check the "digits".',
      ],
      ['7', '', '', '', '', '', '', 'Excel wrote this number as 9.18E+11, which lost its digits.'],
    ]);
  });

  it.each([
    ['=HYPERLINK("http://evil.example","Click")'],
    ['+1+cmd|calc!A0'],
    ['-2+3'],
    ['@SUM(A1)'],
    ['\tTab'],
    ['\rReturn'],
    ['+44 7400 123456 =1'],
  ])('makes a cell starting a formula (%j) plain text', (written) => {
    const [, row] = cellsOf(notCreatedCsv([{ line: 2, firstName: written, phone: written, reason: 'x' }]));
    expect(row?.[2]).toBe(`'${written}`);
    expect(row?.[4]).toBe(`'${written}`);
  });

  it.each(['+919876543210', '+44 7400 123456', '+1 (212) 555-0101'])('leaves the number %s readable', (phone) => {
    const [, row] = cellsOf(notCreatedCsv([{ line: 2, phone, reason: 'Repeats line 1.' }]));
    expect(row?.[4]).toBe(phone);
  });

  it('reads back every cell as written, with only a formula start made plain', () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 20 });
    const row: fc.Arbitrary<NotCreatedRow> = fc.record({
      line: fc.nat(),
      salutation: fc.option(text),
      firstName: text,
      lastName: text,
      phone: text,
      country: text,
      extension: fc.option(text),
      reason: text,
    });
    fc.assert(
      fc.property(fc.array(row, { maxLength: 10 }), (rows) => {
        const plain = (cell: string | null): string =>
          cell === null ? '' : /^[=+\-@\t\r]/.test(cell) && !/^\+[0-9 ()-]+$/.test(cell) ? `'${cell}` : cell;
        expect(cellsOf(notCreatedCsv(rows))).toEqual([
          HEADER,
          ...rows.map((r) => [
            String(r.line),
            ...[r.salutation, r.firstName, r.lastName, r.phone, r.country, r.extension, r.reason].map((c) => plain(c ?? null)),
          ]),
        ]);
      }),
    );
  });
});
