import { saveDraft, submitImport } from '../../src/audit/import-drafts.js';
import type { ImportRow } from '../../src/contact/import-file.js';
import { previewImport, type ImportPreview } from '../../src/contact/import-preview.js';
import type { ContactInput } from '../../src/contact/validate.js';
import type { Db } from '../../src/database.js';
import { eventually } from './eventually.js';
import type { FakeSlack, SlackCall } from './fake-slack.js';

/**
 * An import submitted as the preview's submit does it: the file's rows (line 1 is its header, so the first contact is
 * line 2) kept as a draft, previewed with India assumed for numbers without `+`, and turned into requests. Returns the
 * import's id and the preview.
 */
export async function submittedImport(
  db: Db,
  opts: { userId: string; fileName: string; inputs: ContactInput[] },
): Promise<{ importId: string; preview: ImportPreview }> {
  const rows: ImportRow[] = opts.inputs.map((input, i) => ({ line: i + 2, input }));
  const preview = await previewImport(rows, 'IN');
  const draft = { teamId: 'T1', userId: opts.userId, fileName: opts.fileName, rows, ignoredColumns: [], country: 'IN' };
  const importId = await saveDraft(db, draft);
  const submitted = await submitImport(db, { importId, userId: opts.userId, teamId: 'T1', country: 'IN', preview, rows }, 10_000);
  if (submitted.kind !== 'recorded') throw new Error(`the import was not recorded: ${submitted.kind}`);
  return { importId, preview };
}

/** `count` Indian mobile numbers, written as people do (`98765 10002`), from `first` on. */
export function mobiles(first: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `98765 ${String(first + i).padStart(5, '0')}`);
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
