import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Log } from '../log.js';
import type { Db } from '../database.js';
import { backoffMs } from './backoff.js';
import {
  claimNotices,
  expireNotices,
  noticeFailed,
  noticeRefused,
  noticesDelivered,
  type DeliveredNotice,
  type NoticeRow,
} from './notices.js';
import { createPoller } from './poller.js';
import { findRequests, type RequestRow } from './requests.js';

/**
 * Tells one user one notice; resolves with what the audit trail should note (e.g. the channel), or throws — a
 * `NoticeNotSent` when it knows when to try again (a rate limit) or that no try can succeed.
 */
export type SendNotice = (notice: NoticeRow, request: RequestRow) => Promise<Record<string, unknown>>;

/** A send that failed, with what it tells the outbox: wait at least `retryAfterMs`, or (`final`) give up now. */
export class NoticeNotSent extends Error {
  constructor(
    message: string,
    readonly how: { retryAfterMs?: number; final?: boolean },
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = 'NoticeNotSent';
  }
}

export interface OutboxOptions {
  send: SendNotice;
  log: Log;
  /** A notice not delivered this long after it was recorded is given up (a day, as the README's "Slack outages" says). */
  maxAgeMs?: number;
  /**
   * Longer than a send can take with the Slack client's own retries, so no other worker sends it meanwhile: 120 s,
   * against at most ~33 s for the DM client (3 attempts of 10 s, 1 s and 2 s apart; a rate limit is not waited out
   * there but becomes this outbox's next attempt time).
   */
  leaseMs?: number;
  maxBackoffMs?: number;
  pollMs?: number;
}

/** Sends the notices recorded in the database, now and again later, until each is delivered or a day old. */
export interface Outbox {
  /**
   * Sends the waiting notices of this request now (the one just recorded), without waiting for the next poll. The
   * requests told about in one turn of the event loop (a settled batch's, one by one) are sent as one batch.
   */
  tellNow(requestId: number): Promise<void>;
  /** Starts polling for notices due for another try. */
  start(): void;
  /** Stops polling and waits (up to `graceMs`) for sends in flight. */
  stop(graceMs: number): Promise<void>;
}

const DAY_MS = 24 * 60 * 60_000;
/**
 * The most notices claimed and sent together: their requests are read in one query and those delivered marked in one
 * transaction, so the database's work is per batch, not per DM. Above a settled batch of the default 50 contacts, so
 * one settle's notices come back short of it and take one claim.
 */
const BATCH = 100;

/**
 * Marks delivered notices as they come: the first with those answered in the same turn of the event loop, and those
 * that get through while a mark is being written together in the next, so a batch costs a few transactions however many DMs it holds, and a DM's mark waits at most
 * for one transaction before it (a crash before its mark sends it again).
 */
function deliveryMarks(db: Db): { add(delivered: DeliveredNotice): void; settled(): Promise<void> } {
  let waiting: DeliveredNotice[] = [];
  let writing: Promise<void> | undefined;
  async function write(): Promise<void> {
    try {
      // The DMs answered in this turn of the event loop go in the first mark too.
      await nextTurn();
      while (waiting.length > 0) {
        const marks = waiting;
        waiting = [];
        await noticesDelivered(db, marks);
      }
    } finally {
      writing = undefined;
    }
  }
  return {
    add(delivered) {
      waiting.push(delivered);
      if (writing) return;
      writing = write();
      // Its failure is thrown by `settled`, which the batch awaits once every send has ended.
      writing.catch(() => {});
    },
    settled: async () => {
      // A mark that failed leaves its notices leased, to be sent again when the lease ends, as before this batching.
      while (writing) await writing;
    },
  };
}

export function createOutbox(db: Db, opts: OutboxOptions): Outbox {
  const leaseMs = opts.leaseMs ?? 120_000;
  const maxBackoffMs = opts.maxBackoffMs ?? 5 * 60_000;
  const pollMs = opts.pollMs ?? 1_000;
  const maxAgeMs = opts.maxAgeMs ?? DAY_MS;
  const poller = createPoller({ log: opts.log, pollMs, failure: 'telling users failed' });

  /** Sends one notice; what it returned when it got through, or nothing once its failure is recorded. */
  async function attempt(notice: NoticeRow, request: RequestRow): Promise<DeliveredNotice | undefined> {
    try {
      return { notice, detail: await opts.send(notice, request) };
    } catch (error) {
      const how = error instanceof NoticeNotSent ? error.how : {};
      if (how.final) {
        opts.log.error(
          { request: request.id, attempt: notice.attempts, err: error },
          `gave up telling the user (${notice.what}): refused for good`,
        );
        await noticeRefused(db, notice, String(error));
        return undefined;
      }
      const waitMs = backoffMs(notice.attempts, maxBackoffMs, how.retryAfterMs);
      opts.log.error(
        { request: request.id, attempt: notice.attempts, retryInMs: Math.round(waitMs), err: error },
        `could not tell the user (${notice.what})`,
      );
      await noticeFailed(db, notice, waitMs, String(error));
      return undefined;
    }
  }

  /**
   * Claims a batch of due notices (of these requests only, when given) and sends each at once; those delivered are
   * marked as they get through, together with the others that got through meanwhile (see `deliveryMarks`), so one slow
   * DM holds up no other's mark. Returns how many it claimed.
   */
  async function sendBatch(requestIds?: number[]): Promise<number> {
    const due = await claimNotices(db, { leaseMs, limit: BATCH, ...(requestIds ? { requestIds } : {}) });
    if (due.length === 0) return 0;
    const requests = new Map((await findRequests(db, [...new Set(due.map((n) => n.requestId))])).map((r) => [r.id, r]));
    const marks = deliveryMarks(db);
    await Promise.all(
      due.map(async (notice) => {
        const request = requests.get(notice.requestId);
        const delivered = request ? await attempt(notice, request) : undefined;
        if (delivered) marks.add(delivered);
      }),
    );
    await marks.settled();
    return due.length;
  }

  /** Sends the due notices a batch at a time, while batches come back full. */
  async function sendDue(requestIds?: number[]): Promise<void> {
    let claimed: number;
    do claimed = await sendBatch(requestIds);
    while (claimed === BATCH && !poller.stopped);
  }

  /** The requests told about in this turn of the event loop, sent together once it ends. */
  let telling: { requestIds: number[]; sent: Promise<void> } | undefined;

  function tellNow(requestId: number): Promise<void> {
    if (telling === undefined) {
      const requestIds: number[] = [];
      const turnEnded = nextTurn();
      const sent = poller.track(
        turnEnded.then(() => {
          telling = undefined;
          return sendDue(requestIds);
        }),
      );
      telling = { requestIds, sent };
    }
    telling.requestIds.push(requestId);
    return telling.sent;
  }

  async function poll(): Promise<void> {
    for (const notice of await expireNotices(db, maxAgeMs)) {
      opts.log.error(
        { request: notice.requestId, attempts: notice.attempts },
        `gave up telling the user (${notice.what}): not delivered within a day`,
      );
    }
    await sendDue();
  }

  return {
    tellNow,
    start: () => poller.start(poll),
    stop: (graceMs) => poller.stop(graceMs),
  };
}
