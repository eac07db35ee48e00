import { sql, type SQL } from 'drizzle-orm';
import { SALUTATIONS } from '../src/contact/contact.js';
import type { ImportRow } from '../src/contact/import-file.js';
import type { Outcome } from '../src/kore/outcome.js';
import {
  bigint,
  bigserial,
  boolean,
  index,
  integer,
  jsonb,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  type AnyPgColumn,
} from 'drizzle-orm/pg-core';

/**
 * How a request's outcome reaches whoever made it: the contact modal (updated while open, and a DM), a DM alone (a
 * button's change), the CLI (which prints it itself), a Workflow Builder step's execution (completed with the
 * outcome), or a bulk import's progress message (the import's, for all its rows at once).
 */
export type Reply =
  | { kind: 'modal'; viewId: string }
  /** A button (delete, retry) with no form to update: told by DM only. */
  | { kind: 'dm' }
  | { kind: 'cli' }
  | { kind: 'function'; executionId: string }
  | { kind: 'import' };

/** What a request that was not done came to: the endpoint's answer, or that it gave none in time. */
export type RequestError = Exclude<Outcome, { kind: 'created' | 'updated' | 'deleted' }> & {
  /** A duplicate met after an attempt that may have created the contact itself (its answer was lost). */
  afterUncertainAttempt?: boolean;
};

/** Every contact request this app accepted, from its first record to its outcome. */
export const contactRequests = pgTable(
  'contact_requests',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    idempotencyKey: text('idempotency_key').notNull(),
    teamId: text('team_id'),
    userId: text('user_id').notNull(),
    /** Where the request came from: `home` is App Home's New contact; `button` an edit, delete or retry from a DM or Home. */
    source: text('source', { enum: ['slash', 'shortcut', 'home', 'cli', 'workflow', 'button', 'import'] }).notNull(),
    /** The bulk import this request is a row of, and the row's line in its file. */
    importId: text('import_id').references((): AnyPgColumn => imports.id),
    importLine: integer('import_line'),
    salutation: text('salutation', { enum: SALUTATIONS }),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    phoneE164: text('phone_e164').notNull(),
    countryCode: text('country_code').notNull(),
    nationalNumber: text('national_number').notNull(),
    extension: text('extension'),
    /** What the request asks of the endpoint: a new contact, or a change to the one `targetContactId` names. */
    operation: text('operation', { enum: ['create', 'update', 'delete'] })
      .notNull()
      .default('create'),
    /** The endpoint's id of the contact an `update` or `delete` changes. */
    targetContactId: text('target_contact_id'),
    /** `pending` → `created` | `updated` | `deleted` | `duplicate` | `rejected` | `unauthorized` | `failed` | `cancelled` (an import's row not sent) */
    status: text('status', {
      enum: ['pending', 'created', 'updated', 'deleted', 'duplicate', 'rejected', 'unauthorized', 'failed', 'cancelled'],
    })
      .notNull()
      .default('pending'),
    contactId: text('contact_id'),
    /** What the endpoint answered when the request was not done: the outcome, as `RequestError`. */
    error: jsonb('error').$type<RequestError>(),
    attempts: integer('attempts').notNull().default(0),
    /** An earlier attempt may have reached the endpoint without us learning the answer (timeout, crash). */
    uncertain: boolean('uncertain').notNull().default(false),
    /** How the requester is told the outcome, by the way in they used. */
    reply: jsonb('reply').$type<Reply>().notNull(),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    settledAt: timestamp('settled_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('contact_requests_idempotency_key').on(t.idempotencyKey),
    index('contact_requests_due').on(t.nextAttemptAt).where(sql`${t.status} = 'pending'`),
    // The App Home's lists: a user's own requests, and the team's, without the rows of imports (listed as imports).
    index('contact_requests_user').on(t.userId, t.createdAt).where(sql`${t.importId} is null`),
    index('contact_requests_team').on(t.id).where(sql`${t.importId} is null`),
    index('contact_requests_phone').on(t.phoneE164, t.createdAt),
    // A contact's story in the trail (its create, updates and delete, once each is done): what it is now, who made it.
    index('contact_requests_contact').on(t.contactId, t.id).where(sql`${t.contactId} is not null`),
    // A change waits while an earlier request for the same contact is pending: found here, without touching creates.
    index('contact_requests_target_pending')
      .on(t.targetContactId, t.id)
      .where(sql`${t.status} = 'pending' and ${t.targetContactId} is not null`),
    // Whether a contact was deleted since a request created or changed it (the App Home's buttons).
    index('contact_requests_deleted').on(t.targetContactId).where(sql`${t.status} = 'deleted'`),
    // An import's progress: its rows counted by status.
    index('contact_requests_import').on(t.importId, t.status).where(sql`${t.importId} is not null`),
  ],
);

/** A row of an import file that did not become a request: its values as read, its line and why. */
export interface NotImported {
  line: number;
  input: ImportRow['input'];
  reason: string;
}

/**
 * A bulk import (SPEC §9): while its preview is open, a draft of the file's rows; once submitted, its rows are
 * requests (`contact_requests.import_id`) and this row follows its progress message until the final summary.
 */
export const imports = pgTable(
  'imports',
  {
    /** Random: the key the preview modal's `private_metadata` holds, and part of each row's idempotency key. */
    id: text('id').primaryKey(),
    teamId: text('team_id'),
    userId: text('user_id').notNull(),
    fileName: text('file_name').notNull(),
    /** `draft` (the preview is open) → `running` (submitted) → `done` (the final summary is posted) */
    status: text('status', { enum: ['draft', 'running', 'done'] })
      .notNull()
      .default('draft'),
    /** The rows as read, until the submit turns them into requests (then null). */
    draft: jsonb('draft').$type<ImportRow[]>(),
    /** The file's columns that were not read, as the preview names them. */
    ignoredColumns: jsonb('ignored_columns').$type<string[]>().notNull().default([]),
    /** The country assumed for numbers written without `+`. */
    country: text('country').notNull(),
    /** Rows that did not become requests (invalid, or repeating an earlier number), kept for the report. */
    notImported: jsonb('not_imported').$type<NotImported[]>(),
    /** How many requests the submit made. */
    requests: integer('requests').notNull().default(0),
    /** The progress message, once posted. */
    channel: text('channel'),
    ts: text('ts'),
    /** The counts the progress message last showed, and when: it is edited at most every 2 s, and only on a change. */
    shown: jsonb('shown').$type<Record<string, number>>(),
    shownAt: timestamp('shown_at', { withTimezone: true }),
    /** One instance edits the progress message at a time. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    cancelledBy: text('cancelled_by'),
    cancelledAt: timestamp('cancelled_at', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    submittedAt: timestamp('submitted_at', { withTimezone: true }),
    finishedAt: timestamp('finished_at', { withTimezone: true }),
  },
  (t) => [
    index('imports_running').on(t.shownAt).where(sql`${t.status} = 'running'`),
    index('imports_user').on(t.userId, t.createdAt).where(sql`${t.status} <> 'draft'`),
    index('imports_drafts').on(t.createdAt).where(sql`${t.status} = 'draft'`),
  ],
);

/**
 * An event that tells of an error of the contacts endpoint: a retry after no usable answer (not a wait for the call
 * budget, nor the end of an outage), or a request settled `failed` or `unauthorized`. A duplicate or a refused contact
 * is an answer about that contact, not the endpoint's error.
 */
export function endpointErrorEvent(t: { kind: AnyPgColumn; detail: AnyPgColumn }): SQL {
  return sql`((${t.kind} = 'retry' and jsonb_typeof(${t.detail}->'reason') = 'object') or (${t.kind} = 'settled' and ${t.detail}->>'status' in ('failed', 'unauthorized')))`;
}

/** What happened to a request, in order: recorded, each attempt, retries, the outcome, the user told. */
export const requestEvents = pgTable(
  'request_events',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    requestId: bigint('request_id', { mode: 'number' })
      .notNull()
      .references(() => contactRequests.id),
    at: timestamp('at', { withTimezone: true }).notNull().defaultNow(),
    kind: text('kind').notNull(),
    detail: jsonb('detail'),
  },
  (t) => [
    index('request_events_request').on(t.requestId, t.id),
    // The endpoint's last error (the admins' App Home), found without reading the trail.
    index('request_events_endpoint_errors').on(t.id).where(endpointErrorEvent(t)),
  ],
);

/**
 * The built-in emulator's contacts store: one active contact per number and stream, as the vendor enforces. A delete
 * is soft (`INACTIVE`) and frees the number here — the vendor does not say whether it does.
 */
export const emulatorContacts = pgTable(
  'emulator_contacts',
  {
    id: text('id').primaryKey(),
    streamId: text('stream_id').notNull(),
    accountId: text('account_id').notNull(),
    createdBy: text('created_by').notNull(),
    salutation: text('salutation').notNull(),
    firstName: text('first_name').notNull(),
    lastName: text('last_name').notNull(),
    phoneE164: text('phone_e164').notNull(),
    countryCode: text('country_code').notNull(),
    extension: text('extension').notNull(),
    status: text('status', { enum: ['ACTIVE', 'INACTIVE'] })
      .notNull()
      .default('ACTIVE'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex('emulator_contacts_stream_phone').on(t.streamId, t.phoneE164).where(sql`${t.status} = 'ACTIVE'`)],
);

/**
 * What a user is still to be told about a request (that it is queued, or its outcome), written in the same transaction
 * as the change it tells: a DM that fails is retried from here until it is delivered or a day old.
 */
export const notices = pgTable(
  'notices',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    requestId: bigint('request_id', { mode: 'number' })
      .notNull()
      .references(() => contactRequests.id),
    /** `queued`, or the request's final status */
    what: text('what', {
      enum: ['queued', 'created', 'updated', 'deleted', 'duplicate', 'rejected', 'unauthorized', 'failed', 'cancelled'],
    }).notNull(),
    /** `waiting` → `delivered` | `superseded` (the outcome came before a `queued` notice got through) | `expired` | `refused` (Slack said no try can succeed) */
    state: text('state', { enum: ['waiting', 'delivered', 'superseded', 'expired', 'refused'] })
      .notNull()
      .default('waiting'),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull().defaultNow(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    closedAt: timestamp('closed_at', { withTimezone: true }),
  },
  (t) => [
    uniqueIndex('notices_request_what').on(t.requestId, t.what),
    index('notices_due').on(t.nextAttemptAt).where(sql`${t.state} = 'waiting'`),
  ],
);

/**
 * What a request's reply needs to tell the outcome and nothing else should hold — a workflow step's execution token —
 * kept out of the audit trail, and only until the outcome notice is closed (delivered, refused or given up).
 */
export const replyTokens = pgTable('reply_tokens', {
  requestId: bigint('request_id', { mode: 'number' })
    .primaryKey()
    .references(() => contactRequests.id),
  token: text('token').notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
});

/**
 * The calls made to the contacts API in the last rolling minute by every instance on this database, one row per vendor
 * account: a call is taken by one `update` of the row, so two instances cannot both take the last one.
 */
export const callBudget = pgTable('call_budget', {
  accountId: text('account_id').primaryKey(),
  /** When each recent call ended, or started while it is in flight (the vendor counts it somewhere in between). */
  calls: timestamp('calls', { withTimezone: true }).array().notNull().default(sql`'{}'`),
  /** The vendor said the account's limit was spent (another integration used it): no call before this. */
  blockedUntil: timestamp('blocked_until', { withTimezone: true }),
});
