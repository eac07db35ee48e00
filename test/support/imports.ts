import { saveDraft, submitImport } from '../../src/audit/import-drafts.js';
import type { ImportRow } from '../../src/contact/import-file.js';
import type { ImportPreview } from '../../src/contact/import-preview.js';
import { validateContact, type ContactInput } from '../../src/contact/validate.js';
import type { Db } from '../../src/database.js';
import { eventually } from './eventually.js';
import type { FakeSlack, SlackCall } from './fake-slack.js';

/**
 * An import submitted as the preview's submit does it: the file's rows (line 1 is its header, so the first contact is
 * line 2) kept as a draft, previewed — each row validated as the form is, a number seen before is a repeat — and
 * turned into requests. Returns the import's id and the preview.
 */
export async function submittedImport(
  db: Db,
  opts: { userId: string; fileName: string; inputs: ContactInput[] },
): Promise<{ importId: string; preview: ImportPreview; rows: ImportRow[] }> {
  const rows: ImportRow[] = opts.inputs.map((input, i) => ({ line: i + 2, input }));
  const preview: ImportPreview = { ready: [], invalid: [], repeated: [] };
  const firstLines = new Map<string, number>();
  for (const { line, input } of rows) {
    const checked = validateContact(input, 'IN');
    if (!checked.ok) {
      preview.invalid.push({ line, reason: Object.values(checked.errors).join(' ') });
      continue;
    }
    const firstLine = firstLines.get(checked.contact.phone.e164);
    if (firstLine !== undefined) preview.repeated.push({ line, firstLine });
    else {
      firstLines.set(checked.contact.phone.e164, line);
      preview.ready.push({ line, contact: checked.contact });
    }
  }
  const importId = await saveDraft(db, { teamId: 'T1', userId: opts.userId, fileName: opts.fileName, rows, country: 'IN' });
  const submitted = await submitImport(db, { importId, userId: opts.userId, teamId: 'T1', country: 'IN', preview, rows }, 10_000);
  if (submitted.kind !== 'recorded') throw new Error(`the import was not recorded: ${submitted.kind}`);
  return { importId, preview, rows };
}

/** `count` Indian mobile numbers, written as people do (`98765 10002`), from `first` on. */
export function mobiles(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `98765 ${String(first + i).padStart(5, '0')}`);
}

/** A CSV's records as arrays of fields (RFC 4180: a quoted field may hold commas, doubled quotes and line breaks). */
export function parseCsv(text: string): string[][] {
  const records: string[][] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') field += text[++i];
      else if (c === '"') quoted = false;
      else field += c;
      continue;
    }
    if (c === '"') quoted = true;
    else if (c === ',' || c === '\n') {
      fields.push(field.replace(/\r$/, ''));
      field = '';
      if (c === '\n') {
        records.push(fields);
        fields = [];
      }
    } else field += c;
  }
  if (field !== '' || fields.length > 0) records.push([...fields, field]);
  return records;
}

/**
 * The first progress message, posted or edited, whose text matches: the first look may come after some rows settled,
 * so the message may be posted showing what an edit would.
 */
export function shownMessage(slack: FakeSlack, matches: (text: string) => boolean, timeoutMs = 20_000): Promise<SlackCall> {
  const shown = () =>
    slack.calls.find((c) => (c.method === 'chat.postMessage' || c.method === 'chat.update') && matches(String(c.args.text ?? '')));
  return eventually(async () => shown(), timeoutMs, 'progress message shown');
}
