import type { ContactDraft } from './contact.js';
import { csvRecords, UnreadableCsv } from './csv-records.js';
import { importColumns, importRow, type ImportColumns } from './import-columns.js';
import { withoutEmpty } from './name.js';
import { EventLoopTurns } from './turns.js';
import type { ContactInput } from './validate.js';

/** The most contacts one import takes (SPEC §9). */
export const IMPORT_ROW_LIMIT = 5_000;
/** The most bytes of a CSV import file read (the download refuses a bigger one). */
export const IMPORT_FILE_LIMIT = 2 * 1024 * 1024;

/** One contact of an import file as read, before validation. */
export interface ImportRow {
  /** Where the row is in the file: its line (1-based, counting the header and a `sep=` line) for a CSV, the card's number for a .vcf. */
  line: number;
  /** The row's values as raw text (`country` an ISO alpha-2 code when the row names a country any way). */
  input: ContactInput;
  /** Why the row cannot be read at all, decided while reading (a number Excel turned into 9.18E+11; a country not known). */
  problem?: string;
}

export type ImportFile =
  | {
      ok: true;
      rows: ImportRow[];
      /** Header names not used, as written. */
      ignored: string[];
    }
  | {
      ok: false;
      /** A sentence a user can act on. */
      reason: string;
    };

const TOO_MANY = `The file has more than ${IMPORT_ROW_LIMIT.toLocaleString('en')} contacts; an import takes at most ${IMPORT_ROW_LIMIT.toLocaleString('en')}: split it into smaller files.`;
const TOO_LARGE = `The file is larger than ${IMPORT_FILE_LIMIT / 1024 / 1024} MiB; an import reads at most ${IMPORT_FILE_LIMIT / 1024 / 1024} MiB: split it into smaller files.`;
const EMPTY = 'The file is empty: it needs a first row naming the columns (such as first name, last name, phone) and a row per contact.';

/**
 * The contacts of a CSV file (see csvRecords for encodings, delimiters and quoting; importColumns for the header), or
 * why the file cannot be imported: too large, broken quoting, no phone or name column, more than IMPORT_ROW_LIMIT
 * rows (reading stops at the first row past it). Never holds the event loop for more than a few milliseconds.
 */
export async function readCsv(bytes: Uint8Array): Promise<ImportFile> {
  if (bytes.length > IMPORT_FILE_LIMIT) return { ok: false, reason: TOO_LARGE };
  let columns: ImportColumns | undefined;
  const rows: ImportRow[] = [];
  const turns = new EventLoopTurns();
  try {
    for await (const { cells, line } of csvRecords(bytes)) {
      if (!columns) {
        const header = importColumns(cells);
        if (!header.ok) return header;
        columns = header.columns;
        continue;
      }
      if (rows.length === IMPORT_ROW_LIMIT) return { ok: false, reason: TOO_MANY };
      rows.push(importRow(columns, cells, line));
      await turns.take();
    }
  } catch (error) {
    if (error instanceof UnreadableCsv) return { ok: false, reason: error.message };
    throw error;
  }
  return columns ? { ok: true, rows, ignored: columns.ignored } : { ok: false, reason: EMPTY };
}

/** The cards of a `.vcf` (from parseVCards) as import rows, numbered 1..n. */
export function vCardRows(drafts: ContactDraft[]): ImportRow[] {
  return drafts.map(({ salutation, firstName, lastName, phone }, index) => ({
    line: index + 1,
    input: withoutEmpty({ salutation, firstName, lastName, phone }),
  }));
}
