import { stringify } from 'csv-stringify/sync';
import { EventLoopTurns } from './turns.js';

/** A row of an import that was not created, and why. */
export interface NotCreatedRow {
  line: number;
  salutation?: string | null;
  firstName?: string;
  lastName?: string;
  phone?: string;
  country?: string;
  extension?: string | null;
  reason: string;
}

const COLUMNS = ['line', 'salutation', 'first_name', 'last_name', 'phone', 'country', 'extension', 'reason'];
/** Excel reads a UTF-8 file as such only with a byte order mark; without one, `Müller` opens as `MÃ¼ller`. */
const BOM = '\uFEFF';
const WINDOWS_LINES = { record_delimiter: 'windows' } as const;
/** What a spreadsheet takes for the start of a formula (or a cell that turns into one). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A number as the report writes it (`+91 98765 43210`): its `+` starts no formula worth guarding. */
const PHONE_LIKE = /^\+[0-9 ()-]+$/;

/**
 * The CSV of the rows an import did not create, with the reason for each, for the user to fix and import again.
 * A cell that a spreadsheet would run as a formula (`=HYPERLINK(…)` in a name) is written with a leading `'`. Written a
 * row at a time with turns of the event loop between: the report of 5,000 rows takes tens of milliseconds.
 */
export async function notCreatedCsv(rows: NotCreatedRow[]): Promise<string> {
  const turns = new EventLoopTurns();
  const records = [stringify([COLUMNS], WINDOWS_LINES)];
  for (const row of rows) {
    await turns.take();
    const cells = [row.line, row.salutation, row.firstName, row.lastName, row.phone, row.country, row.extension, row.reason];
    records.push(stringify([cells.map((cell) => (typeof cell === 'string' ? inert(cell) : (cell ?? '')))], WINDOWS_LINES));
  }
  return BOM + records.join('');
}

function inert(cell: string): string {
  return FORMULA_START.test(cell) && !PHONE_LIKE.test(cell) ? `'${cell}` : cell;
}
