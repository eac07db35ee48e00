import { and, desc, eq, exists, gt, isNull } from 'drizzle-orm';
import { alias } from 'drizzle-orm/pg-core';
import { contactRequests } from '../../db/schema.js';
import type { Db } from '../database.js';
import { lastEndpointError, readDeliveryHealth, type DeliveryHealth, type EndpointError } from './health.js';
import { recentImports, type ImportProgress } from './import-progress.js';
import type { RequestRow } from './requests.js';

/** A request as a list shows it, and whether its contact has been deleted (through this app) since. */
export type ListedRequest = Pick<
  RequestRow,
  | 'id'
  | 'userId'
  | 'operation'
  | 'status'
  | 'salutation'
  | 'firstName'
  | 'lastName'
  | 'phoneE164'
  | 'extension'
  | 'contactId'
  | 'targetContactId'
  | 'createdAt'
> & { contactDeleted: boolean };

/**
 * What one user's App Home shows: their recent imports and requests and, for an admin, the team's requests and the
 * delivery's health.
 */
export interface HomeContent {
  mine: ListedRequest[];
  imports?: ImportProgress[];
  team?: { requests: ListedRequest[]; health: DeliveryHealth; lastError?: EndpointError };
}

/** How many requests each list of the App Home shows. */
export const HOME_LIST_LENGTH = 10;
/** How many of a user's imports the App Home shows. */
export const HOME_IMPORTS = 3;

/** Reads a user's App Home: two queries at once for an agent; for an admin, three more. */
export async function readHome(db: Db, userId: string, admin: boolean): Promise<HomeContent> {
  const [mine, imports, team] = await Promise.all([
    listRequests(db, { userId, limit: HOME_LIST_LENGTH }),
    recentImports(db, userId, HOME_IMPORTS),
    admin ? Promise.all([listRequests(db, { limit: HOME_LIST_LENGTH }), readDeliveryHealth(db), lastEndpointError(db)]) : undefined,
  ]);
  if (!team) return { mine, imports };
  const [requests, health, lastError] = team;
  return { mine, imports, team: { requests, health, ...(lastError ? { lastError } : {}) } };
}

/**
 * The most recent requests, newest first, but for the rows of imports (the home lists each import as one): one user's
 * (through their index, by when they were made) or everyone's (by id). Whether a contact was deleted is one probe of the index of deletes per request listed. The query, to await (or
 * to EXPLAIN).
 */
export function listRequests(db: Db, opts: { userId?: string; limit: number }) {
  const t = contactRequests;
  const deletion = alias(contactRequests, 'deletion');
  return db
    .select({
      id: t.id,
      userId: t.userId,
      operation: t.operation,
      status: t.status,
      salutation: t.salutation,
      firstName: t.firstName,
      lastName: t.lastName,
      phoneE164: t.phoneE164,
      extension: t.extension,
      contactId: t.contactId,
      targetContactId: t.targetContactId,
      createdAt: t.createdAt,
      contactDeleted: exists(
        db
          .select({ id: deletion.id })
          .from(deletion)
          .where(and(eq(deletion.status, 'deleted'), eq(deletion.targetContactId, t.contactId), gt(deletion.id, t.id))),
      ).mapWith(Boolean),
    })
    .from(t)
    .where(and(isNull(t.importId), opts.userId ? eq(t.userId, opts.userId) : undefined))
    .orderBy(...(opts.userId ? [desc(t.createdAt), desc(t.id)] : [desc(t.id)]))
    .limit(opts.limit);
}
