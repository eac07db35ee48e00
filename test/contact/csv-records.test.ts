import { describe, expect, it } from 'vitest';
import { csvRecords, RECORD_SIZE_LIMIT, UnreadableCsv, type CsvRecord } from '../../src/contact/csv-records.js';
import { IMPORT_FILE_LIMIT } from '../../src/contact/import-file.js';

async function recordsOf(text: string | Uint8Array): Promise<CsvRecord[]> {
  const records: CsvRecord[] = [];
  for await (const record of csvRecords(typeof text === 'string' ? new TextEncoder().encode(text) : text)) records.push(record);
  return records;
}

async function refusalOf(text: string): Promise<string> {
  const error = await recordsOf(text).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  if (!(error instanceof UnreadableCsv)) throw new Error(`expected the file to be refused, got ${String(error)}`);
  return error.message;
}

describe('csvRecords', () => {
  it('gives the line each record starts on, counting a sep= line, blank lines, quoted line breaks and any line end', async () => {
    const text = 'sep=,\r\n\r\nname,phone\r\n"A\r\nB",1\r\n\r\nC D,2\rE F,3\n"G\n\nH",4\nI J,5';
    expect(await recordsOf(text)).toEqual([
      { line: 3, cells: ['name', 'phone'] },
      { line: 4, cells: ['A\nB', '1'] },
      { line: 7, cells: ['C D', '2'] },
      { line: 8, cells: ['E F', '3'] },
      { line: 9, cells: ['G\n\nH', '4'] },
      { line: 12, cells: ['I J', '5'] },
    ]);
  });

  it('leaves out rows whose cells are all blank, and keeps the empty cells of others', async () => {
    expect(await recordsOf('a,b,,\n,,,\n \t, ,,\n1,,,\n')).toEqual([
      { line: 1, cells: ['a', 'b', '', ''] },
      { line: 4, cells: ['1', '', '', ''] },
    ]);
  });

  it.each([
    ['a;b;c\n1;2;3', ['1', '2', '3']],
    ['a\tb\tc\n1\t2\t3', ['1', '2', '3']],
    ['a,b;c\n1,2;3', ['1', '2;3']],
    ['sep=;\na,b;c\n1,2;3', ['1,2', '3']],
    ['sep=\t\na,b;c\n1\t2', ['1', '2']],
    ['\n  \n\ta;b;c\n1;2;3', ['1', '2', '3']],
    ['\ta\tb;c\n\t1\t2', ['', '1', '2']],
  ])('chooses the delimiter of %j', async (text, cells) => {
    expect((await recordsOf(text))[1]?.cells).toEqual(cells);
  });

  it('chooses the delimiter the header holds most of outside quotes', async () => {
    // Counted with the quoted commas, the header would hold as many commas as semicolons, and a comma wins a tie.
    expect((await recordsOf('Full Name;Phone;"Notes, more, other"\n"Smith, John";1;a, b\n'))[1]?.cells).toEqual([
      'Smith, John',
      '1',
      'a, b',
    ]);
  });

  it('keeps quotes inside a value written without quotes as part of it', async () => {
    expect((await recordsOf('name,phone\nPriya "PJ" Natarajan,1\n'))[1]?.cells).toEqual(['Priya "PJ" Natarajan', '1']);
  });

  it('reads UTF-16 big-endian with its BOM', async () => {
    const big = Buffer.from('\uFEFFname\tphone\r\nΕλένη\t21 0123 4567\r\n', 'utf16le').swap16();
    expect((await recordsOf(big))[1]?.cells).toEqual(['Ελένη', '21 0123 4567']);
  });

  it('refuses a quote left open, naming where to look', async () => {
    expect(await refusalOf('name,phone\nA,1\n\n"Priya,2\nC,3\n')).toBe(
      'A quote (") is never closed: check the quotes from line 3 on, and export again.',
    );
  });

  it('refuses one huge quoted field at the record limit, naming its line', async () => {
    expect(await refusalOf(`name,phone\nA,1\n"${'a'.repeat(IMPORT_FILE_LIMIT - 100)}",2\n`)).toBe(
      `Line 3 is longer than a row of contacts can be (${RECORD_SIZE_LIMIT.toLocaleString('en')} characters): check that its quotes are closed.`,
    );
  });

  it('refuses a line of nothing but delimiters at the record limit rather than split it into millions of cells', async () => {
    expect(await refusalOf(','.repeat(IMPORT_FILE_LIMIT))).toMatch(/^Line 1 is longer/);
    expect(await refusalOf(`name,phone\n${';'.repeat(IMPORT_FILE_LIMIT - 100)}`)).toMatch(/^Line 2 is longer/);
  });

  it('reads a file of nothing but blank rows as the header alone', async () => {
    expect(await recordsOf(`name,phone\n${',\r\n'.repeat((IMPORT_FILE_LIMIT - 100) / 3)}`)).toEqual([
      { line: 1, cells: ['name', 'phone'] },
    ]);
  });
});
