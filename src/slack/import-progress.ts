import type { webApi } from '@slack/bolt';
import type { NotImported } from '../../db/schema.js';
import { dropOldDrafts } from '../audit/import-drafts.js';
import {
  claimImportsDue,
  importCounts,
  importGivenUp,
  importNotShown,
  importShown,
  importTimeLeft,
  notCreated,
  type ImportCounts,
  type ImportProgress,
} from '../audit/import-progress.js';
import { createPoller } from '../audit/poller.js';
import type { BudgetPace } from '../audit/wait.js';
import { notCreatedCsv } from '../contact/import-report.js';
import type { Db } from '../database.js';
import type { Log } from '../log.js';
import { slackCallFailed } from './call-failed.js';
import { importProgressMessage, importSummaryMessage, type ImportMessage } from './views/import-progress.js';
import { escapeMrkdwn } from './views/mrkdwn.js';

export interface ImportReporterOptions {
  /** The DMs' client (server.ts): few retries, a rate limit not waited out but tried again at its time. */
  client: webApi.WebClient;
  /** The call budget and batch size, for the time left. */
  pace: BudgetPace;
  /** Publishes a user's App Home again (best effort: it logs its own failures). */
  refreshHome(userId: string): Promise<void>;
  log: Log;
  pollMs?: number;
  /** The progress message of an import is edited at most this often. */
  everyMs?: number;
  /**
   * One instance looks at an import at a time, for at most this long: a look makes up to four Slack calls (the summary
   * and the CSV's three), each at most ~33 s with the DMs' client.
   */
  leaseMs?: number;
}

/** Follows running imports: posts each one's progress message, edits it as its rows settle, ends with the summary. */
export interface ImportReporter {
  start(): void;
  /** Looks at the imports due now, without waiting for the next poll (a cancel): still no edit within `everyMs` of the last. */
  nudge(): void;
  stop(graceMs: number): Promise<void>;
}

/** How long an import's message waits after Slack refused it for good: someone may yet fix the token or scope. */
const REFUSED_RETRY_MS = 5 * 60_000;

/** An import's message or report Slack still refuses this long after the submit is given up, as a DM is (SPEC §10). */
const GIVE_UP_AFTER_MS = 24 * 60 * 60_000;

/** Drafts are few and a day old before they go: looking once a minute is plenty. */
const DROP_DRAFTS_EVERY_MS = 60_000;

export function createImportReporter(db: Db, opts: ImportReporterOptions): ImportReporter {
  const poller = createPoller({ log: opts.log, pollMs: opts.pollMs ?? 1_000, failure: 'following imports failed' });
  const leaseMs = opts.leaseMs ?? 150_000;
  const everyMs = opts.everyMs ?? 2_000;
  let draftsDroppedAt = 0;

  async function poll(): Promise<void> {
    if (Date.now() - draftsDroppedAt >= DROP_DRAFTS_EVERY_MS) {
      draftsDroppedAt = Date.now();
      const dropped = await dropOldDrafts(db);
      if (dropped > 0) opts.log.info({ dropped }, 'dropped import drafts not submitted within a day');
    }
    const due = await claimImportsDue(db, { leaseMs, everyMs, limit: 10 });
    await Promise.all(due.map(follow));
  }

  /**
   * Shows where one import stands. A Slack call that fails is tried again at the next poll, or when a rate limit says;
   * one Slack refuses for good (the user is gone, the token revoked) every few minutes, not every second. Nothing is
   * lost meanwhile: the rows are delivered all the same, and the message catches up.
   */
  async function follow(record: ImportProgress): Promise<void> {
    try {
      await show(record);
    } catch (error) {
      if (record.submittedAt && Date.now() - record.submittedAt.getTime() > GIVE_UP_AFTER_MS) {
        opts.log.error(
          { import: record.id, user: record.userId, err: error },
          "gave up showing an import's progress: not shown within a day",
        );
        return importGivenUp(db, record.id);
      }
      const { how } = slackCallFailed("an import's progress", error);
      const retryInMs = how.retryAfterMs ?? (how.final ? REFUSED_RETRY_MS : 0);
      opts.log.error({ import: record.id, user: record.userId, retryInMs, err: error }, "could not show an import's progress");
      await importNotShown(db, record.id, retryInMs);
    }
  }

  async function show(record: ImportProgress): Promise<void> {
    const counts = await importCounts(db, record.id);
    const finished = !counts.pending;
    const changed = !record.ts || !sameCounts(record.shown ?? {}, counts) || cancelledSinceShown(record);
    if (!changed && !finished) return importShown(db, record.id);
    let place = record.channel && record.ts ? { channel: record.channel, ts: record.ts } : undefined;
    if (changed) {
      const message = finished
        ? importSummaryMessage(record, counts)
        : importProgressMessage(record, counts, await importTimeLeft(db, record.id, opts.pace));
      place = await showMessage(record.userId, place, message);
      // Noted at once, so a restarted instance edits this message rather than posting another.
      await importShown(db, record.id, { ...place, counts });
      if (!finished) return opts.refreshHome(record.userId);
    }
    // The summary is shown (now, or at a look whose upload failed): the report of the rows not created is left.
    const rows = await notCreated(db, record.id);
    if (rows.length > 0) await uploadReport(place!.channel, record.fileName, rows);
    await importShown(db, record.id, { ...place!, counts, done: true });
    await opts.refreshHome(record.userId);
  }

  /** Posts the message to the user (the first time), or edits it where it is. */
  async function showMessage(userId: string, place: { channel: string; ts: string } | undefined, message: ImportMessage) {
    if (place) {
      await opts.client.chat.update({ ...place, ...message });
      return place;
    }
    const posted = await opts.client.chat.postMessage({ channel: userId, ...message });
    if (!posted.channel || !posted.ts) throw new Error('Slack posted the progress message but did not say where');
    return { channel: posted.channel, ts: posted.ts };
  }

  async function uploadReport(channel: string, fileName: string, rows: NotImported[]): Promise<void> {
    const csv = await notCreatedCsv(
      rows.map(({ line, input, reason }) => ({
        line,
        salutation: input.salutation,
        firstName: input.firstName,
        lastName: input.lastName,
        phone: input.phone,
        country: input.country,
        extension: input.extension,
        reason,
      })),
    );
    await opts.client.filesUploadV2({
      channel_id: channel,
      content: csv,
      filename: reportName(fileName),
      title: `Rows of ${fileName} not created`,
      initial_comment: `The rows of *${escapeMrkdwn(fileName)}* that were not created, with the reason.`,
    });
  }

  return {
    start: () => poller.start(poll),
    nudge: () => {
      if (!poller.stopped) void poller.track(poll());
    },
    stop: (graceMs) => poller.stop(graceMs),
  };
}

/** Whether the message shows these counts already. */
function sameCounts(shown: ImportCounts, counts: ImportCounts): boolean {
  const statuses = new Set([...Object.keys(shown), ...Object.keys(counts)] as (keyof ImportCounts)[]);
  return [...statuses].every((status) => (shown[status] ?? 0) === (counts[status] ?? 0));
}

/** A cancel whose rows were all on their way changes no count, but the message must say it and lose its button. */
function cancelledSinceShown(record: ImportProgress): boolean {
  return record.cancelledAt !== null && (record.shownAt === null || record.cancelledAt >= record.shownAt);
}

/** `leads.csv` → `leads-not-created.csv` */
function reportName(fileName: string): string {
  const stem = fileName.replace(/\.[^.]*$/, '') || 'import';
  return `${stem}-not-created.csv`;
}
