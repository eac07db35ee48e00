import { stringify } from 'csv-stringify/sync';

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
/** What a spreadsheet takes for the start of a formula (or a cell that turns into one). */
const FORMULA_START = /^[=+\-@\t\r]/;
/** A number as the report writes it (`+91 98765 43210`): its `+` starts no formula worth guarding. */
const PHONE_LIKE = /^\+[0-9 ()-]+$/;

/**
 * The CSV of the rows an import did not create, with the reason for each, for the user to fix and import again.
 * A cell that a spreadsheet would run as a formula (`=HYPERLINK(…)` in a name) is written with a leading `'`.
 */
export function notCreatedCsv(rows: NotCreatedRow[]): string {
  const records = rows.map((row) =>
    [row.line, row.salutation, row.firstName, row.lastName, row.phone, row.country, row.extension, row.reason].map((cell) =>
      typeof cell === 'string' ? inert(cell) : (cell ?? ''),
    ),
  );
  return BOM + stringify([COLUMNS, ...records], { record_delimiter: 'windows' });
}

function inert(cell: string): string {
  return FORMULA_START.test(cell) && !PHONE_LIKE.test(cell) ? `'${cell}` : cell;
}
