import { isUtf8 } from 'node:buffer';
import { readFileSync } from 'node:fs';
import { stringify } from 'csv-stringify/sync';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { IMPORT_FILE_LIMIT, IMPORT_ROW_LIMIT, readCsv, vCardRows, type ImportFile, type ImportRow } from '../../src/contact/import-file.js';
import { parseVCards } from '../../src/contact/vcard.js';

const FIXTURES = new URL('../fixtures/imports/', import.meta.url);
const EXCEL_NUMBER = 'format the column as Text and export again.';

function fixture(name: string): Buffer {
  return readFileSync(new URL(name, FIXTURES));
}

function utf8(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

/** The rows of a file that must be readable. */
async function rowsOf(bytes: Uint8Array): Promise<ImportRow[]> {
  const file = await readCsv(bytes);
  if (!file.ok) throw new Error(file.reason);
  return file.rows;
}

async function reasonOf(bytes: Uint8Array): Promise<string> {
  const file = await readCsv(bytes);
  if (file.ok) throw new Error(`read ${file.rows.length} rows`);
  return file.reason;
}

/** What each fixture holds, written from the file by hand. */
const EXPECTED: Record<string, Extract<ImportFile, { ok: true }>> = {
  'excel-utf8-semicolon.csv': {
    ok: true,
    rows: [
      { line: 2, input: { firstName: 'Jürgen', lastName: 'Müller-Lüdenscheidt', phone: '0171 9876543', country: 'DE' } },
      { line: 3, input: { firstName: 'Ana', lastName: 'Muñoz Ruiz', phone: '612 34 56 78', country: 'ES' } },
      {
        line: 4,
        input: { firstName: 'Søren', lastName: 'Kierkegaard', phone: '9,18E+11', country: 'DK' },
        problem: `Excel wrote this number as 9,18E+11, which lost its digits: ${EXCEL_NUMBER}`,
      },
      { line: 5, input: { firstName: 'Zoë', lastName: 'Brontë', phone: '+44 7400 123461' } },
    ],
    ignored: ['Anrede', 'Firma'],
  },
  'excel-sep-line.csv': {
    ok: true,
    rows: [
      { line: 3, input: { firstName: 'Priya', lastName: 'Natarajan', phone: '99887 76655', country: 'IN' } },
      { line: 4, input: { firstName: 'Wei', lastName: 'Zhang', phone: '138 0013 8000', country: 'CN' } },
    ],
    ignored: [],
  },
  'excel-windows-1252.csv': {
    ok: true,
    rows: [
      { line: 2, input: { firstName: 'Françoise', lastName: 'Lefèvre', phone: '06 12 34 56 78', country: 'FR' } },
      {
        line: 3,
        input: { firstName: 'José', lastName: 'Ñúñez', phone: '9.18E+11', country: 'ES' },
        problem: `Excel wrote this number as 9.18E+11, which lost its digits: ${EXCEL_NUMBER}`,
      },
      { line: 4, input: { firstName: 'Œdipe', lastName: 'Dûrand', phone: '+33 6 98 76 54 32' } },
    ],
    ignored: [],
  },
  'excel-unicode-text.txt': {
    ok: true,
    rows: [
      { line: 2, input: { firstName: 'Ελένη', lastName: 'Παπαδοπούλου', phone: '21 0123 4567', country: 'GR' } },
      { line: 3, input: { firstName: '太郎', lastName: '山田', phone: '090-1234-5678', country: 'JP' } },
    ],
    ignored: [],
  },
  'google-sheets.csv': {
    ok: true,
    rows: [
      { line: 2, input: { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655', country: 'IN' } },
      { line: 3, input: { firstName: 'John', lastName: 'Smith', phone: '07400 123123', country: 'GB' } },
      // The notes of line 3 take two lines.
      { line: 5, input: { salutation: 'Dr', firstName: 'Olusegun', lastName: 'Adebayo', phone: '0803 123 4567', country: 'NG' } },
    ],
    ignored: ['Notes'],
  },
  'quoted-names.csv': {
    ok: true,
    rows: [
      { line: 2, input: { firstName: 'Mary, Jr.', lastName: 'O\'Brien "Molly"', phone: '+1 212 555 0101' } },
      { line: 3, input: { firstName: 'Anna\nMaria', lastName: 'van der Berg', phone: '+31 6 12345678' } },
      { line: 5, input: { firstName: 'Plain', lastName: 'Name', phone: '+1 212 555 0102' } },
    ],
    ignored: [],
  },
  'blank-lines-trailing-columns.csv': {
    ok: true,
    rows: [
      { line: 2, input: { salutation: 'Mrs', firstName: 'Aisha', lastName: 'Khan', phone: '+92 300 1234567' } },
      { line: 5, input: { salutation: 'Mr', firstName: 'Kenji', lastName: 'Sato', phone: '+81 90 1234 5678' } },
    ],
    ignored: [],
  },
  'name-only.csv': {
    ok: true,
    rows: [
      { line: 2, input: { salutation: 'Dr', firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655' } },
      { line: 3, input: { salutation: 'Mrs', firstName: 'Elizabeth', lastName: 'Bennet', phone: '+44 7400 123001' } },
      { line: 4, input: { firstName: 'Ludwig', lastName: 'van Beethoven', phone: '+49 151 23456789' } },
      { line: 5, input: { firstName: 'Madonna', phone: '+1 212 555 0199' } },
    ],
    ignored: [],
  },
  'kore-headers.csv': {
    ok: true,
    rows: [
      { line: 2, input: { salutation: 'Mr', firstName: 'Rahul', lastName: 'Sharma', phone: '9876543210', extension: '12', country: 'IN' } },
      { line: 3, input: { salutation: 'Ms', firstName: 'Emily', lastName: 'Clark', phone: '2025550143', country: 'US' } },
    ],
    ignored: ['emailId'],
  },
};

describe('readCsv on spreadsheet exports', () => {
  it.each(Object.keys(EXPECTED))('%s', async (name) => {
    expect(await readCsv(fixture(name))).toEqual(EXPECTED[name]);
  });

  it('has fixtures in the encodings they claim', () => {
    expect(isUtf8(fixture('excel-windows-1252.csv'))).toBe(false);
    expect([...fixture('excel-utf8-semicolon.csv').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    expect([...fixture('excel-unicode-text.txt').subarray(0, 2)]).toEqual([0xff, 0xfe]);
    expect(fixture('google-sheets.csv').toString()).not.toMatch(/\n$/);
  });
});

describe('readCsv headers', () => {
  it('matches header names in any order, case and spacing, and lists the others as written', async () => {
    const file = await readCsv(utf8('PHONE_NUMBER,Notes ,family-name,Given.Name,Ext.,Title\n+91 99887 76655,vip,Natarajan,Priya,42,CTO\n'));
    expect(file).toEqual({
      ok: true,
      rows: [{ line: 2, input: { firstName: 'Priya', lastName: 'Natarajan', phone: '+91 99887 76655', extension: '42' } }],
      ignored: ['Notes', 'Title'],
    });
  });

  it('prefers first and last name columns to a whole name, and splits the name only where they are blank', async () => {
    const rows = await rowsOf(utf8('name,first name,last name,mobile\nJohn Smith,Priya,Natarajan,1\nMs Jane Doe,,,2\n'));
    expect(rows.map((row) => row.input)).toEqual([
      { firstName: 'Priya', lastName: 'Natarajan', phone: '1' },
      { salutation: 'Ms', firstName: 'Jane', lastName: 'Doe', phone: '2' },
    ]);
  });

  it('passes a salutation column through raw, for validation to judge', async () => {
    const rows = await rowsOf(utf8('prefix,first name,last name,phone\nHerr,Hans,Zimmer,1\n'));
    expect(rows[0]?.input.salutation).toBe('Herr');
  });

  it('reads a second phone column where the first is blank', async () => {
    const rows = await rowsOf(utf8('name,mobile,phone\nA B,,+44 20 7946 0000\nC D,+44 7400 123456,+44 20 7946 0001\n'));
    expect(rows.map((row) => row.input.phone)).toEqual(['+44 20 7946 0000', '+44 7400 123456']);
  });

  it('refuses a file without a phone column, naming the names it takes', async () => {
    const reason = await reasonOf(utf8('first name,last name,email\nPriya,Natarajan,p@example.com\n'));
    expect(reason).toContain('no phone column');
    expect(reason).toContain('mobile number');
    expect(reason).toContain('cellPhoneNumber');
    expect(reason).not.toContain('name column');
  });

  it('refuses a file without any name column, naming the names it takes', async () => {
    const reason = await reasonOf(utf8('phone,email\n+91 99887 76655,p@example.com\n'));
    expect(reason).toContain('no name column');
    expect(reason).toContain('first name');
    expect(reason).toContain('full name');
  });

  it('refuses a file whose first row is data, not column names', async () => {
    expect(await reasonOf(utf8('Priya Natarajan,+91 99887 76655\n'))).toContain('The first row must name the columns');
  });

  it('reads a header-only file as no rows, and refuses an empty one', async () => {
    expect(await readCsv(utf8('first name,last name,phone\r\n'))).toEqual({ ok: true, rows: [], ignored: [] });
    expect(await reasonOf(utf8(''))).toContain('The file is empty');
    expect(await reasonOf(utf8('\n\n,,,\n'))).toContain('The file is empty');
  });
});

describe('readCsv values', () => {
  it('reads a country column as an ISO code', async () => {
    const rows = await rowsOf(utf8('name,phone,country\nA B,1,+91\nC D,2,united kingdom\nE F,3,us\n'));
    expect(rows.map((row) => row.input.country)).toEqual(['IN', 'GB', 'US']);
  });

  it.each(['Narnia', 'XX', '+999', '0'])('gives the row a problem naming the unknown country %s', async (written) => {
    const [row] = await rowsOf(utf8(`name,phone,country\nA B,+91 99887 76655,${written}\n`));
    expect(row?.problem).toContain(`"${written}" is not a country I know`);
    expect(row?.input.country).toBeUndefined();
  });

  it.each(['9.18E+11', '9,18E+11', '9.18e11', '1E+12'])(
    'refuses the scientific number %s rather than guess its digits',
    async (written) => {
      const [row] = await rowsOf(utf8(`name;phone\nA B;${written}\n`));
      expect(row?.problem).toBe(`Excel wrote this number as ${written}, which lost its digits: ${EXCEL_NUMBER}`);
    },
  );

  it('quotes no more of a scientific number than of an unknown country', async () => {
    const written = `9${'1'.repeat(900)}E+11`;
    const [row] = await rowsOf(utf8(`name;phone\nA B;${written}\n`));
    expect(row?.problem).toBe(`Excel wrote this number as ${written.slice(0, 40)}…, which lost its digits: ${EXCEL_NUMBER}`);
  });

  it('drops control characters from cells and headers (PostgreSQL refuses a NUL), keeping tabs and line breaks', async () => {
    const file = await readCsv(utf8('na\u0000me,phone,No\u0007tes\n"Pri\u0000ya\tR\nao",+91 99887\u0001 76655,x\u007f\n'));
    expect(file).toEqual({
      ok: true,
      rows: [{ line: 2, input: { firstName: 'Priya R', lastName: 'ao', phone: '+91 99887 76655' } }],
      ignored: ['Notes'],
    });
    expect(JSON.stringify(file)).not.toMatch(/\\u00(0[0-8]|1|7f)/);
  });

  it('reads at most 1,000 characters of a cell, as of a typed line: a row of long cells held the loop for tens of ms', async () => {
    const long = '९'.repeat(4_000);
    const [row] = await rowsOf(utf8(`salutation,name,phone,country,extension\n${long},${long},${long},${long},${long}\n`));
    for (const value of Object.values(row!.input)) expect(value.length).toBeLessThanOrEqual(1_000);
    expect(row?.problem).toContain('is not a country I know');
  });
});

describe('readCsv limits', () => {
  const header = 'first name,last name,phone\n';
  const rows = (count: number): string =>
    Array.from({ length: count }, (_, i) => `Priya,Natarajan ${i},+91 99887 ${String(i).padStart(5, '0')}\n`).join('');

  it(`reads exactly ${IMPORT_ROW_LIMIT} rows`, async () => {
    const file = await rowsOf(utf8(header + rows(IMPORT_ROW_LIMIT)));
    expect(file).toHaveLength(IMPORT_ROW_LIMIT);
    expect(file.at(-1)?.line).toBe(IMPORT_ROW_LIMIT + 1);
  });

  it(`refuses ${IMPORT_ROW_LIMIT + 1} rows with the limit, and blank rows do not count`, async () => {
    expect(await reasonOf(utf8(header + rows(IMPORT_ROW_LIMIT + 1)))).toBe(
      'The file has more than 5,000 contacts; an import takes at most 5,000: split it into smaller files.',
    );
    expect(await rowsOf(utf8(header + rows(IMPORT_ROW_LIMIT) + ',,\n'.repeat(100)))).toHaveLength(IMPORT_ROW_LIMIT);
  });

  it('refuses a file over the size limit without reading it', async () => {
    expect(await reasonOf(new Uint8Array(IMPORT_FILE_LIMIT + 1))).toContain('larger than 2 MiB');
  });

  it('refuses a quote left open or a line past the record limit, with the reason', async () => {
    expect(await reasonOf(utf8(`${header}"Priya,Natarajan,1\nA,B,2\n`))).toContain('A quote (") is never closed');
    expect(await reasonOf(utf8(','.repeat(IMPORT_FILE_LIMIT)))).toMatch(/^Line 1 is longer than a row of contacts can be/);
  });
});

describe('readCsv properties', () => {
  it('never throws on arbitrary bytes, and reads at most the row limit', async () => {
    await fc.assert(
      fc.asyncProperty(fc.uint8Array({ maxLength: 2_000 }), async (bytes) => {
        const file = await readCsv(bytes);
        if (file.ok) expect(file.rows.length).toBeLessThanOrEqual(IMPORT_ROW_LIMIT);
        else expect(file.reason).toMatch(/\.$/);
      }),
    );
  });

  it('never throws on CSV-like text after a good header', async () => {
    const csvish = fc.string({
      unit: fc.constantFrom('"', ',', ';', '\t', '\n', '\r', ' ', 'a', '1', '+', 'E', '\uFEFF', 'é'),
      maxLength: 300,
    });
    await fc.assert(
      fc.asyncProperty(fc.constantFrom('', 'sep=;\n', '\uFEFF'), csvish, async (prefix, body) => {
        const file = await readCsv(utf8(`${prefix}name,phone,country\n${body}`));
        if (file.ok) {
          expect(file.rows.length).toBeLessThanOrEqual(IMPORT_ROW_LIMIT);
          for (const row of file.rows) expect(row.line).toBeGreaterThanOrEqual(2);
        }
      }),
    );
  });

  it('reads back what csv-stringify wrote, in any delimiter, line end and encoding', async () => {
    const cell = fc.string({ unit: 'grapheme', maxLength: 12 });
    const written = fc.record({
      delimiter: fc.constantFrom(',', ';', '\t'),
      lineEnd: fc.constantFrom('\n', '\r\n'),
      encoding: fc.constantFrom('utf-8', 'utf-8 with BOM', 'utf-16le'),
      rows: fc.array(fc.tuple(cell, cell, cell), { maxLength: 12 }),
    });
    await fc.assert(
      fc.asyncProperty(written, async ({ delimiter, lineEnd, encoding, rows }) => {
        const options = { delimiter, record_delimiter: lineEnd === '\n' ? 'unix' : 'windows' } as const;
        const header = stringify([['First Name', 'Last Name', 'Phone']], options);
        const records = rows.map((row) => stringify([row], options));
        const text = header + records.join('');
        const bytes =
          encoding === 'utf-16le' ? Buffer.from(`\uFEFF${text}`, 'utf16le') : utf8(encoding === 'utf-8' ? text : `\uFEFF${text}`);
        let line = 1 + lineBreaks(header);
        const expected = rows.flatMap(([firstName, lastName, phone], index) => {
          const at = line;
          line += lineBreaks(records[index] ?? '');
          const cells = [firstName, lastName, phone].map((value) => value.replace(/\r\n?/g, '\n').trim());
          if (cells.every((value) => value === '')) return [];
          const [first, last, number] = cells;
          return [{ line: at, first, last, number }];
        });
        const read = await rowsOf(bytes);
        expect(
          read.map(({ line, input }) => ({ line, first: input.firstName ?? '', last: input.lastName ?? '', number: input.phone ?? '' })),
        ).toEqual(expected);
      }),
    );
  });
});

describe('vCardRows', () => {
  it('numbers the cards of a .vcf from 1, in order', () => {
    const text = readFileSync(new URL('../fixtures/cards/multi-contact-google.vcf', import.meta.url), 'utf8');
    expect(vCardRows(parseVCards(text))).toEqual([
      { line: 1, input: { firstName: 'محمد', lastName: 'الحسن', phone: '+971 50 123 4567' } },
      { line: 2, input: { firstName: '小明', lastName: '王', phone: '+86 138 0013 8000' } },
      { line: 3, input: { firstName: 'Иван Сергеевич', lastName: 'Петров', phone: '+7 495 123-45-67' } },
    ]);
  });
});

/** Line breaks as the reader counts them: CRLF, LF and a lone CR each end a line. */
function lineBreaks(text: string): number {
  return text.match(/\r\n?|\n/g)?.length ?? 0;
}
