import { LINE_CAP, withinCaps } from './caps.js';
import { countryOf } from './country.js';
import type { ImportRow } from './import-file.js';
import { salutationOf, withoutEmpty, type DraftName } from './name.js';
import { splitName } from './text.js';
import type { ContactInput } from './validate.js';

/** What a column of an import file holds. */
type Column = 'salutation' | 'firstName' | 'lastName' | 'name' | 'phone' | 'country' | 'extension';

/**
 * The header names each column is known by, as the refusal of a file lists them. They match in any case, and
 * without anything but letters and digits: `First_Name`, `first-name`, `FIRSTNAME` and `Phone #` all do.
 */
export const HEADER_NAMES: Readonly<Record<Column, readonly string[]>> = {
  salutation: ['salutation', 'prefix', 'name prefix'],
  firstName: ['first name', 'given name'],
  lastName: ['last name', 'surname', 'family name'],
  name: ['name', 'full name'],
  phone: ['phone', 'phone number', 'mobile', 'mobile number', 'mobile phone', 'cell', 'cell phone', 'cellPhoneNumber', 'telephone'],
  country: ['country', 'country code', 'cellPhoneCountryCode'],
  extension: ['extension', 'ext', 'cellPhoneExtension'],
};

const COLUMN_BY_KEY = new Map(
  (Object.entries(HEADER_NAMES) as [Column, readonly string[]][]).flatMap(([column, names]) =>
    names.map((name) => [headerKey(name), column] as const),
  ),
);

/** Where each known column is, in header order (a second phone column is read where the first is blank). */
export interface ImportColumns {
  at: Partial<Record<Column, number[]>>;
  /** Header names of the columns not read, as written (up to QUOTED_LENGTH characters each). */
  ignored: string[];
}

/** An Excel number in scientific notation, in an English or a European locale: `9.18E+11`, `9,18E+11`. */
const EXCEL_NUMBER = /^[+-]?\d+(?:[.,]\d+)?e[+-]?\d+$/i;
/** How much of a cell a reason quotes. */
const QUOTED_LENGTH = 40;

/** The columns a header row names, or why they cannot make contacts: no phone column, or no name column. */
export function importColumns(header: string[]): { ok: true; columns: ImportColumns } | { ok: false; reason: string } {
  const at: ImportColumns['at'] = {};
  const ignored: string[] = [];
  header.forEach((written, index) => {
    const column = COLUMN_BY_KEY.get(headerKey(written));
    if (column) (at[column] ??= []).push(index);
    else if (written.trim() !== '') ignored.push(shortened(written.trim()));
  });
  const missing = [
    ...(at.phone ? [] : [`phone column (${either(HEADER_NAMES.phone)})`]),
    ...(at.firstName || at.lastName || at.name
      ? []
      : [`name column (${either([...HEADER_NAMES.firstName, ...HEADER_NAMES.lastName, ...HEADER_NAMES.name])})`]),
  ];
  if (missing.length > 0) return { ok: false, reason: `The first row must name the columns, and it has no ${missing.join(' and no ')}.` };
  return { ok: true, columns: { at, ignored } };
}

/**
 * A data row read by its columns: first and last name columns win over a whole name, which is split by the rule of
 * free text (`Dr Priya Natarajan`); the country becomes an ISO code. A number Excel wrote in scientific notation and
 * a country not known are the row's problem: they are refused, never guessed.
 */
export function importRow({ at }: ImportColumns, cells: string[], line: number): ImportRow {
  // A cell is read as a typed line is, up to LINE_CAP characters: a field is far shorter, and checking a 20,000-digit
  // number (or a name NFKD makes 18 times longer) held the event loop for tens of milliseconds.
  const value = (column: Column): string | undefined =>
    at[column]?.map((index) => withinCaps(cells[index]?.trim() ?? '', LINE_CAP)).find((cell) => cell !== '');
  const firstName = value('firstName');
  const lastName = value('lastName');
  const whole = value('name');
  const names: DraftName =
    firstName !== undefined || lastName !== undefined || whole === undefined ? { firstName, lastName } : splitName(whole);
  const phone = value('phone');
  const countryText = value('country');
  const country = countryText === undefined ? undefined : countryOf(countryText);
  const problems = [
    ...(phone !== undefined && EXCEL_NUMBER.test(phone)
      ? [`Excel wrote this number as ${shortened(phone)}, which lost its digits: format the column as Text and export again.`]
      : []),
    ...(countryText !== undefined && !country
      ? [
          `Country: ${quoted(countryText)} is not a country I know: use a code such as IN, a calling code such as +91, or an English name such as India.`,
        ]
      : []),
  ];
  const salutation = value('salutation');
  const input: ContactInput = withoutEmpty({
    // `Dr.`, `Miss` read as the form's choices, as in a typed card; any other word is left for validation to refuse.
    salutation: salutation === undefined ? names.salutation : (salutationOf(salutation) ?? salutation),
    firstName: names.firstName,
    lastName: names.lastName,
    phone,
    extension: value('extension'),
    country,
  });
  return { line, input, ...(problems.length > 0 ? { problem: problems.join(' ') } : {}) };
}

/** `First_Name`, `first-name` and `Phone #` as `firstname` and `phone`. */
function headerKey(name: string): string {
  return name.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '');
}

/** `a, b or c` */
function either(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} or ${names.at(-1)}`;
}

/** At most QUOTED_LENGTH characters of a cell: a reason is shown in the preview, where ten must fit in one block. */
function shortened(text: string): string {
  return text.length > QUOTED_LENGTH ? `${text.slice(0, QUOTED_LENGTH)}…` : text;
}

function quoted(text: string): string {
  return `"${shortened(text)}"`;
}
