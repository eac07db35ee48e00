import type { types, ViewOutput } from '@slack/bolt';
import type { ImportPreview } from '../../contact/import-preview.js';
import type { CountryOption } from '../countries.js';
import { countryOption } from './contact-modal.js';
import { escapeMrkdwn } from './mrkdwn.js';

/** The import modal's callback_id (SPEC §4). */
export const IMPORT_MODAL = 'import_contacts';
/** The import modal's country select: its block_id and action_id. A change is sent at once, to count the rows again. */
export const IMPORT_COUNTRY = 'import_country';
/** How many of a file's problems the preview lists; the report after the import has them all. */
export const PROBLEMS_SHOWN = 10;
/**
 * The longest text Slack takes in a block: a longer one makes it refuse the whole view, and the user sees no preview.
 * A reason may quote the file (a country not known, escaped `&` five times longer), so ten of them may not fit.
 */
const TEXT_LIMIT = 3_000;
/** Room kept for the line saying how many more problems there are. */
const MORE_ROOM = 120;

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const mrkdwn = (text: string): types.SectionBlock => ({ type: 'section', text: { type: 'mrkdwn', text } });
const count = (n: number) => n.toLocaleString('en-US');
const contacts = (n: number) => `${count(n)} ${n === 1 ? 'contact' : 'contacts'}`;

/** What the preview shows of a file read into a draft. */
export interface ImportPreviewView {
  /** The draft's key: all the modal holds (`private_metadata`), since the rows stay in the database. */
  draftKey: string;
  fileName: string;
  preview: ImportPreview;
  /** The country assumed for numbers written without `+`. */
  country: CountryOption;
  ignoredColumns: readonly string[];
}

/**
 * The preview of an import: how many rows are ready, invalid or repeated, the first problems by line, the country
 * assumed for numbers without `+` (changing it counts again), and **Create N contacts**.
 */
export function importModal({ draftKey, fileName, preview, country, ignoredColumns }: ImportPreviewView): types.ModalView {
  const ready = preview.ready.length;
  const problems = [
    ...preview.invalid.map(({ line, reason }) => ({ line, reason })),
    ...preview.repeated.map(({ line, firstLine }) => ({ line, reason: `repeats the number on line ${firstLine} (that one is kept)` })),
  ].sort((a, b) => a.line - b.line);
  const counts = [
    `*${count(ready)}* ready to create`,
    ...(preview.invalid.length > 0 ? [`*${count(preview.invalid.length)}* invalid`] : []),
    ...(preview.repeated.length > 0 ? [`*${count(preview.repeated.length)}* repeat a number earlier in the file`] : []),
  ];
  const shown = fitting(
    problems.slice(0, PROBLEMS_SHOWN).map(({ line, reason }) => `• Line ${line}: ${escapeMrkdwn(reason)}`),
    TEXT_LIMIT - MORE_ROOM,
  );
  const more = problems.length - shown.length;
  // A file may have a thousand columns: those that fit are named, the others counted.
  const unread = fitting(ignoredColumns.map(escapeMrkdwn), TEXT_LIMIT - MORE_ROOM, ', ');
  const unreadMore = ignoredColumns.length - unread.length;
  return {
    type: 'modal',
    callback_id: IMPORT_MODAL,
    private_metadata: draftKey,
    title: plain('Import contacts'),
    ...(ready > 0 ? { submit: plain(`Create ${contacts(ready)}`) } : {}),
    close: plain('Cancel'),
    blocks: [
      mrkdwn(`*${escapeMrkdwn(fileName)}*: ${counts.join(' · ')}.`),
      ...(shown.length > 0
        ? [
            mrkdwn(
              [
                ...shown,
                ...(more > 0 ? [`…and ${count(more)} more. The report after the import lists every row that was not created.`] : []),
              ].join('\n'),
            ),
          ]
        : []),
      {
        type: 'input',
        block_id: IMPORT_COUNTRY,
        dispatch_action: true,
        label: plain('Country of numbers without a + code'),
        hint: plain('Rows with their own country column keep it. Changing this counts the rows again.'),
        element: {
          type: 'external_select',
          action_id: IMPORT_COUNTRY,
          min_query_length: 0,
          placeholder: plain('Search by name or code'),
          initial_option: countryOption(country),
        },
      },
      ...(ignoredColumns.length > 0
        ? [
            {
              type: 'context' as const,
              elements: [
                {
                  type: 'mrkdwn' as const,
                  text: `Columns not read: ${unread.join(', ')}${unreadMore > 0 ? ` and ${count(unreadMore)} more` : ''}`,
                },
              ],
            },
          ]
        : []),
      ...(ready === 0 ? [mrkdwn('No row is ready to create: fix the file and share it again, or choose another country.')] : []),
    ],
  };
}

/** The first of `items` that fit in `limit` characters, joined by `separator`. */
function fitting(items: string[], limit: number, separator = '\n'): string[] {
  const kept: string[] = [];
  let length = 0;
  for (const item of items) {
    length += item.length + separator.length;
    if (length > limit) break;
    kept.push(item);
  }
  return kept;
}

/** A file that cannot be imported, and why (too many rows, no phone column, too large): nothing to submit. */
export function importRefusedModal(fileName: string, reason: string): types.ModalView {
  return {
    type: 'modal',
    callback_id: IMPORT_MODAL,
    title: plain('Import contacts'),
    close: plain('Close'),
    blocks: [mrkdwn(`:warning: I can't import *${escapeMrkdwn(fileName)}*: ${escapeMrkdwn(reason)}`)],
  };
}

/** In place of the preview once submitted: where the progress is followed. */
export function importStartedModal(fileName: string, requests: number): types.ModalView {
  return {
    type: 'modal',
    callback_id: IMPORT_MODAL,
    title: plain('Import contacts'),
    close: plain('Done'),
    blocks: [
      mrkdwn(
        `:inbox_tray: Importing ${contacts(requests)} from *${escapeMrkdwn(fileName)}*. A message in your DM with me shows the progress, and lists at the end any row that was not created.`,
      ),
    ],
  };
}

/** The draft key and the chosen country of a submitted (or changed) preview; undefined parts were not there. */
export function readImportModal(view: ViewOutput): { draftKey: string; countryCode?: string } {
  const selected = (view.state?.values?.[IMPORT_COUNTRY]?.[IMPORT_COUNTRY] as { selected_option?: { value?: unknown } | null } | undefined)
    ?.selected_option?.value;
  return { draftKey: view.private_metadata, ...(typeof selected === 'string' ? { countryCode: selected } : {}) };
}
