import type { CountryCode } from 'libphonenumber-js/max';
import type { Contact } from './contact.js';
import type { ImportRow } from './import-file.js';
import { EventLoopTurns } from './turns.js';
import { validateContact, type ContactField, type FieldErrors } from './validate.js';

/** What an import would create: every row is in exactly one of the three lists, in file order. */
export interface ImportPreview {
  ready: { line: number; contact: Contact }[];
  /** `reason`: "Phone number: <what is wrong>" and so on for each field at fault, or the row's problem. */
  invalid: { line: number; reason: string }[];
  /** Same E.164 number as an earlier ready row (the first is kept). */
  repeated: { line: number; firstLine: number }[];
}

/** The fields in the order a row's reasons name them, in the words of the form. */
const FIELD_NAMES: [ContactField, string][] = [
  ['salutation', 'Salutation'],
  ['firstName', 'First name'],
  ['lastName', 'Last name'],
  ['phone', 'Phone number'],
  ['extension', 'Extension'],
];

/**
 * Validates each row as the form does, reading a number without `+` in the row's own country when it names one and
 * in `defaultCountry` otherwise, and sets aside a number already ready on an earlier row.
 */
export async function previewImport(rows: ImportRow[], defaultCountry: CountryCode): Promise<ImportPreview> {
  const preview: ImportPreview = { ready: [], invalid: [], repeated: [] };
  const firstLineOf = new Map<string, number>();
  const turns = new EventLoopTurns();
  for (const { line, input, problem } of rows) {
    await turns.take();
    if (problem !== undefined) {
      preview.invalid.push({ line, reason: problem });
      continue;
    }
    const result = validateContact(input, defaultCountry);
    if (!result.ok) {
      preview.invalid.push({ line, reason: reasonOf(result.errors) });
      continue;
    }
    const e164 = result.contact.phone.e164;
    const firstLine = firstLineOf.get(e164);
    if (firstLine !== undefined) {
      preview.repeated.push({ line, firstLine });
      continue;
    }
    firstLineOf.set(e164, line);
    preview.ready.push({ line, contact: result.contact });
  }
  return preview;
}

/** `First name: Enter a name. Phone number: That number is too short for India (IN). Check for missing digits.` */
function reasonOf(errors: FieldErrors): string {
  return FIELD_NAMES.flatMap(([field, name]) => (errors[field] ? [`${name}: ${errors[field]}`] : [])).join(' ');
}
