import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import { contactRequests } from '../db/schema.js';
import { readDeliveryHealth, type DeliveryHealth } from './audit/health.js';
import type { ImportSubmission, SubmittedImport } from './audit/import-drafts.js';
import type { SendNotice } from './audit/outbox.js';
import type { DeliveryHooks } from './audit/settle.js';
import type { SubmitDeps } from './audit/submit.js';
import type { Db } from './database.js';
import type { ContactsClient } from './kore/client.js';
import type { Outcome } from './kore/outcome.js';
import type { Log } from './log.js';

type SubmitImport = (submission: ImportSubmission) => Promise<SubmittedImport>;

/**
 * The app's Prometheus metrics, in a registry of its own (several apps may run in one process), and the wrappers that
 * count: each takes a part the app is built from and gives back the same part, counted.
 */
export interface AppMetrics {
  registry: Registry;
  /** Counts each request recorded anew by way in (a repeated submission is the same request, not counted again). */
  countAccepted(delivery: SubmitDeps['delivery']): SubmitDeps['delivery'];
  /** Counts the requests of each import recorded anew, as accepted from `import`. */
  countImported(submit: SubmitImport): SubmitImport;
  /** Counts each request settled here by final status. */
  countSettled(hooks: DeliveryHooks): DeliveryHooks;
  /** Counts each call to the contacts endpoint by outcome, and times it. */
  measureCalls(contacts: ContactsClient): ContactsClient;
  /** Counts each DM sent, and each try that failed (the outbox may try again). */
  countDms(send: SendNotice): SendNotice;
}

const PREFIX = 'contact_bot_';

/** Every outcome a call can come to: each is shown from the first scrape, at 0, so a rate over it has a start. */
const OUTCOMES = Object.keys({
  created: 0,
  updated: 0,
  deleted: 0,
  duplicate: 0,
  rejected: 0,
  unauthorized: 0,
  unavailable: 0,
} satisfies Record<Outcome['kind'], 0>);

/** The gauges read from the database at scrape time, each one figure of the delivery's health (one query). */
const DATABASE_GAUGES: Record<keyof DeliveryHealth, { name: string; help: string }> = {
  waitingRequests: {
    name: 'waiting_requests',
    help: 'Requests recorded and still waiting for their outcome (pending), on every instance together.',
  },
  oldestWaitSeconds: {
    name: 'oldest_wait_seconds',
    help: 'Seconds the oldest waiting request has waited since it was recorded; 0 when none waits.',
  },
  budgetCallsLastMinute: {
    name: 'budget_calls_last_minute',
    help: 'Calls to the contacts API in the last 60 s, by every instance together (KORE_RATE_LIMIT_PER_MIN caps them).',
  },
};

export interface MetricsOptions {
  log: Log;
  /** A scrape waits this long for the database at most, then shows `database_up 0` and no sample of the database gauges. */
  databaseWithinMs?: number;
}

/** The metrics of one running app over its database. */
export function createMetrics(db: Db, opts: MetricsOptions): AppMetrics {
  const registry = new Registry();
  const registers = [registry];
  const accepted = new Counter({
    name: `${PREFIX}requests_accepted_total`,
    help: 'Requests recorded by this instance, by where they came from (source); a repeated submission is not counted again.',
    labelNames: ['source'],
    registers,
  });
  const settled = new Counter({
    name: `${PREFIX}requests_settled_total`,
    help: 'Requests this instance gave their final status, by status.',
    labelNames: ['status'],
    registers,
  });
  const calls = new Counter({
    name: `${PREFIX}contacts_calls_total`,
    help: 'Calls this instance made to the contacts endpoint, by outcome.',
    labelNames: ['outcome'],
    registers,
  });
  const callSeconds = new Histogram({
    name: `${PREFIX}contacts_call_duration_seconds`,
    help: 'How long a call to the contacts endpoint took, until its answer or timeout, in seconds.',
    registers,
  });
  const dmsSent = new Counter({ name: `${PREFIX}dms_sent_total`, help: 'Notices this instance sent to users by DM.', registers });
  const dmsFailed = new Counter({
    name: `${PREFIX}dms_failed_total`,
    help: 'Tries to send a DM that Slack did not take; the outbox tries again later unless Slack refused it for good.',
    registers,
  });
  for (const source of contactRequests.source.enumValues) accepted.inc({ source }, 0);
  for (const status of contactRequests.status.enumValues) if (status !== 'pending') settled.inc({ status }, 0);
  for (const outcome of OUTCOMES) calls.inc({ outcome }, 0);
  databaseGauges(db, registry, opts);

  return {
    registry,
    countAccepted: (delivery) => ({
      async accept(request) {
        const recorded = await delivery.accept(request);
        if (recorded.isNew) accepted.inc({ source: recorded.row.source });
        return recorded;
      },
      deliverNow: (ids) => delivery.deliverNow(ids),
    }),
    countImported: (submit) => async (submission) => {
      const submitted = await submit(submission);
      if (submitted.kind === 'recorded') accepted.inc({ source: 'import' }, submitted.record.requests);
      return submitted;
    },
    countSettled: (hooks) => ({
      onQueued: (row) => hooks.onQueued(row),
      onSettled(row) {
        settled.inc({ status: row.status });
        return hooks.onSettled(row);
      },
    }),
    measureCalls(contacts) {
      const measured = async (call: () => Promise<Outcome>): Promise<Outcome> => {
        const done = callSeconds.startTimer();
        const outcome = await call();
        done();
        calls.inc({ outcome: outcome.kind });
        return outcome;
      };
      return {
        create: (batch) => measured(() => contacts.create(batch)),
        update: (contactId, contact) => measured(() => contacts.update(contactId, contact)),
        remove: (contactId) => measured(() => contacts.remove(contactId)),
      };
    },
    countDms: (send) => async (notice, request) => {
      try {
        const noted = await send(notice, request);
        dmsSent.inc();
        return noted;
      } catch (error) {
        dmsFailed.inc();
        throw error;
      }
    },
  };
}

/**
 * `database_up` and the `DATABASE_GAUGES`, all from one answer per scrape: a scrape runs the gauges' `collect`
 * together, and they share the read in flight and its deadline. A database that does not answer in time leaves the
 * query running (its own timeouts end it) and the next scrapes wait on that same query, so a stalled database never
 * has more than one of these at a time.
 */
function databaseGauges(db: Db, registry: Registry, opts: MetricsOptions): void {
  const withinMs = opts.databaseWithinMs ?? 2_000;
  let reading: Promise<DeliveryHealth | undefined> | undefined;
  let answer: Promise<DeliveryHealth | undefined> | undefined;
  const read = (): Promise<DeliveryHealth | undefined> => {
    reading ??= readDeliveryHealth(db)
      .catch((error: unknown) => {
        opts.log.warn({ err: error }, 'metrics could not read the database');
        return undefined;
      })
      .finally(() => {
        reading = undefined;
      });
    answer ??= answerWithin(reading, withinMs).finally(() => {
      answer = undefined;
    });
    return answer;
  };
  new Gauge({
    name: `${PREFIX}database_up`,
    help: `1 when the database answered this scrape within ${withinMs} ms; else 0, and the gauges read from it have no sample.`,
    registers: [registry],
    async collect() {
      this.set((await read()) ? 1 : 0);
    },
  });
  for (const [figure, { name, help }] of Object.entries(DATABASE_GAUGES) as [keyof DeliveryHealth, { name: string; help: string }][]) {
    new Gauge({
      name: `${PREFIX}${name}`,
      help,
      registers: [registry],
      async collect() {
        const figures = await read();
        if (figures) this.set(figures[figure]);
        else this.remove(); // no sample: better none than a stale or made-up one
      },
    });
  }
}

/** What `work` resolves to, or `undefined` once `ms` have passed without it. */
async function answerWithin<T>(work: Promise<T>, ms: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => (timer = setTimeout(() => resolve(undefined), ms)));
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
