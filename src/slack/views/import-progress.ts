import type { types } from '@slack/bolt';
import type { ImportCounts, ImportProgress } from '../../audit/import-progress.js';
import { about } from '../../audit/report.js';
import { ACTIONS } from '../actions.js';
import { slackStyle } from './report.js';

/** What an import's messages say about the import itself. */
export type ImportShown = Pick<ImportProgress, 'id' | 'fileName' | 'requests' | 'notImportedCount' | 'cancelledBy'>;

/** A message: `text` carries everything for notifications and screen readers, `blocks` lay it out. */
export interface ImportMessage {
  text: string;
  blocks: types.KnownBlock[];
}

const plain = (text: string) => ({ type: 'plain_text' as const, text });
const mrkdwn = (text: string) => ({ type: 'mrkdwn' as const, text });
const count = (n: number) => n.toLocaleString('en-US');

/** The figures a message gives, in order: a request's status (refused is both ways the endpoint said no), and the file's rows left out. */
const TALLIES: [label: string, of: (counts: ImportCounts, shown: ImportShown) => number | undefined][] = [
  ['created', (c) => c.created],
  ['duplicate', (c) => c.duplicate],
  ['refused', (c) => (c.rejected ?? 0) + (c.unauthorized ?? 0)],
  ['failed', (c) => c.failed],
  ['cancelled', (c) => c.cancelled],
  ['waiting', (c) => c.pending],
  ['not imported', (_, shown) => shown.notImportedCount],
];

/** "12 created · 1 duplicate · 30 waiting · 3 not imported": only the figures that are not 0. */
export function importTallies(shown: ImportShown, counts: ImportCounts): string {
  const said = TALLIES.flatMap(([label, of]) => {
    const n = of(counts, shown) ?? 0;
    return n > 0 ? [`${count(n)} ${label}`] : [];
  });
  return said.length > 0 ? said.join(' · ') : 'Nothing to import';
}

const BAR_LENGTH = 10;

/** `▓▓▓▓▓░░░░░ 52 %`: the share of the import's requests settled, rounded down (100 % only when none waits). */
export function progressBar(shown: Pick<ImportShown, 'requests'>, counts: ImportCounts): string {
  const waiting = counts.pending ?? 0;
  const percent = shown.requests === 0 ? 100 : Math.floor(((shown.requests - waiting) * 100) / shown.requests);
  const filled = Math.floor((percent * BAR_LENGTH) / 100);
  return `${'▓'.repeat(filled)}${'░'.repeat(BAR_LENGTH - filled)} ${percent} %`;
}

/** The rows of the file that did not become contacts: those not imported, and requests that were not created. */
function notCreated(shown: ImportShown, counts: ImportCounts): number {
  const requestsNotCreated = Object.entries(counts).reduce((sum, [status, n]) => (status === 'created' ? sum : sum + (n ?? 0)), 0);
  return shown.notImportedCount + requestsNotCreated;
}

/** A cancel takes the rows not yet sent out of the queue; those on their way keep their outcome. */
const CONFIRM_CANCEL: types.ConfirmationDialog = {
  title: plain('Cancel this import?'),
  text: plain('The rows not yet sent will not be created. Contacts already created stay.'),
  confirm: plain('Cancel import'),
  deny: plain('Keep importing'),
  style: 'danger',
};

/**
 * The progress message while an import's rows are sent: the file, a progress bar, the figures so far, about how long
 * is left (`timeLeftMs`), and **Cancel import** while rows wait and it is not cancelled. The file name is the user's
 * text, shown as text.
 */
export function importProgressMessage(shown: ImportShown, counts: ImportCounts, timeLeftMs?: number): ImportMessage {
  const style = slackStyle;
  const waiting = counts.pending ?? 0;
  const lines = [
    `:inbox_tray: Importing contacts from ${style.strong(style.text(shown.fileName))}`,
    progressBar(shown, counts),
    importTallies(shown, counts),
    ...(shown.cancelledBy
      ? [`Cancelled by ${style.user(shown.cancelledBy)}: the rows on their way finish, the others are not sent.`]
      : waiting > 0 && timeLeftMs !== undefined
        ? [`${capitalised(about(timeLeftMs))} left`]
        : []),
  ];
  const blocks: types.KnownBlock[] = [{ type: 'section', text: mrkdwn(lines.join('\n')) }];
  if (waiting > 0 && !shown.cancelledBy) {
    blocks.push({
      type: 'actions',
      elements: [
        {
          type: 'button',
          action_id: ACTIONS.cancelImport,
          text: plain('Cancel import'),
          value: shown.id,
          style: 'danger',
          confirm: CONFIRM_CANCEL,
        },
      ],
    });
  }
  return { text: lines.join('\n'), blocks };
}

/**
 * The final summary, once no row waits: how many rows of the file became contacts, the figures, who cancelled it if
 * anyone did, and that the rows not created follow as a CSV (the reporter uploads it when there are any).
 */
export function importSummaryMessage(shown: ImportShown, counts: ImportCounts): ImportMessage {
  const style = slackStyle;
  const title = shown.cancelledBy ? 'Import cancelled' : 'Import finished';
  const rows = shown.requests + shown.notImportedCount;
  const left = notCreated(shown, counts);
  const lines = [
    `${style.strong(style.text(shown.fileName))}: ${count(counts.created ?? 0)} of ${count(rows)} ${rows === 1 ? 'row' : 'rows'} created.`,
    importTallies(shown, counts),
    ...(shown.cancelledBy ? [`Cancelled by ${style.user(shown.cancelledBy)}.`] : []),
    ...(left === 1 ? ['The row not created is in the CSV file below, with the reason.'] : []),
    ...(left > 1 ? [`The ${count(left)} rows not created are in the CSV file below, each with the reason.`] : []),
  ];
  return {
    text: `${title}\n${lines.join('\n')}`,
    blocks: [
      { type: 'header', text: plain(title) },
      { type: 'section', text: mrkdwn(lines.join('\n')) },
    ],
  };
}

/** An import as the App Home lists it: the file, where it stands in words, the figures its message last showed, and when. */
export function importHomeLine(listed: ImportShown & Pick<ImportProgress, 'status' | 'shown' | 'createdAt'>): string {
  const style = slackStyle;
  // Before its message is first shown, every request of the import waits.
  const counts: ImportCounts = listed.shown ?? { pending: listed.requests };
  const cancelled = listed.cancelledBy ? `Cancelled by ${style.user(listed.cancelledBy)}` : undefined;
  const where =
    listed.status === 'done'
      ? (cancelled ?? 'Done')
      : cancelled
        ? `${cancelled}, finishing · ${progressBar(listed, counts)}`
        : `Running · ${progressBar(listed, counts)}`;
  return `${style.strong(style.text(listed.fileName))}\n${where} · ${importTallies(listed, counts)} · ${style.time(listed.createdAt)}`;
}

function capitalised(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}
