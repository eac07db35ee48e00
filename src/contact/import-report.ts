/** A row of an import file that did not become a contact, with its values as read and why. */
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

const HEADER = ['line', 'salutation', 'first_name', 'last_name', 'phone', 'country', 'extension', 'reason'];

/** The rows not created as a CSV (RFC 4180: a header row, fields quoted when they hold a quote, comma or line break). */
export function notCreatedCsv(rows: NotCreatedRow[]): string {
  const lines = rows.map((row) =>
    [row.line, row.salutation, row.firstName, row.lastName, row.phone, row.country, row.extension, row.reason].map(field),
  );
  return [HEADER, ...lines].map((fields) => `${fields.join(',')}\r\n`).join('');
}

function field(value: string | number | null | undefined): string {
  const text = String(value ?? '');
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}
