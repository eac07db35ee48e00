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
  it('writes a UTF-8 BOM, the header and a row per contact not created, CRLF-ended', async () => {
    const csv = await notCreatedCsv([
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
  ])('makes a cell starting a formula (%j) plain text', async (written) => {
    const [, row] = cellsOf(await notCreatedCsv([{ line: 2, firstName: written, phone: written, reason: 'x' }]));
    expect(row?.[2]).toBe(`'${written}`);
    expect(row?.[4]).toBe(`'${written}`);
  });

  it.each(['+919876543210', '+44 7400 123456', '+1 (212) 555-0101'])('leaves the number %s readable', async (phone) => {
    const [, row] = cellsOf(await notCreatedCsv([{ line: 2, phone, reason: 'Repeats line 1.' }]));
    expect(row?.[4]).toBe(phone);
  });

  it('reads back every cell as written, with only a formula start made plain', async () => {
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
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 10 }), async (rows) => {
        const plain = (cell: string | null): string =>
          cell === null ? '' : /^[=+\-@\t\r]/.test(cell) && !/^\+[0-9 ()-]+$/.test(cell) ? `'${cell}` : cell;
        expect(cellsOf(await notCreatedCsv(rows))).toEqual([
          HEADER,
          ...rows.map((r) => [
            String(r.line),
            ...[r.salutation, r.firstName, r.lastName, r.phone, r.country, r.extension, r.reason].map((c) => plain(c ?? null)),
          ]),
        ]);
      }),
    );
  });

  it('lets the event loop in while it writes the report of a whole import', async () => {
    let turns = 0;
    let writing = true;
    const count = () => {
      if (!writing) return;
      turns += 1;
      setImmediate(count);
    };
    setImmediate(count);
    const rows = Array.from({ length: 5_000 }, (_, i) => ({
      line: i + 2,
      firstName: 'x'.repeat(400),
      lastName: 'y'.repeat(400),
      reason: 'First name: Keep it under 80 characters. Last name: Keep it under 80 characters.',
    }));
    const csv = await notCreatedCsv(rows);
    writing = false;
    expect(cellsOf(csv)).toHaveLength(5_001);
    expect(turns).toBeGreaterThan(0);
  });
});
