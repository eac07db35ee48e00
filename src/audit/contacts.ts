import { and, asc, desc, eq, inArray } from 'drizzle-orm';
import { contactRequests } from '../../db/schema.js';
import type { Db } from '../database.js';
import type { RequestRow } from './requests.js';

/**
 * A contact as this app's audit trail knows it, from the requests that were done to it: never stored apart, so it is
 * always what the trail says — who created it, its values now, and whether it was deleted.
 */
export interface KnownContact {
  contactId: string;
  /** The request that created it. */
  creation: RequestRow;
  /** Its last successful create or update: the values it has now. */
  current: RequestRow;
  /** The delete that removed it, once done. */
  deletion?: RequestRow;
}

/** The contact `contactId` as the trail knows it; undefined when it was not created through this app. */
export async function knownContact(db: Db, contactId: string): Promise<KnownContact | undefined> {
  const t = contactRequests;
  // Only requests that were done carry the contact id (a change is sent once the one before it for its contact is done).
  const story = await db
    .select()
    .from(t)
    .where(and(eq(t.contactId, contactId), inArray(t.status, ['created', 'updated', 'deleted'])))
    .orderBy(asc(t.id));
  const creation = story.find((row) => row.operation === 'create');
  if (!creation) return undefined;
  const values = story.filter((row) => row.status !== 'deleted');
  return { contactId, creation, current: values.at(-1) ?? creation, deletion: story.find((row) => row.status === 'deleted') };
}

/**
 * The contact created through this app that holds `e164` as far as the trail knows: among the contacts this number was
 * given to (by a create or an update), the latest one whose values still carry it, deleted or not (the vendor does not
 * say whether a deleted contact frees its number). Undefined when no contact here was ever given the number.
 */
export async function numberHolder(db: Db, e164: string): Promise<KnownContact | undefined> {
  const t = contactRequests;
  const given = await db
    .select({ contactId: t.contactId })
    .from(t)
    .where(and(eq(t.phoneE164, e164), inArray(t.status, ['created', 'updated'])))
    .orderBy(desc(t.id))
    .limit(20);
  for (const contactId of new Set(given.map((row) => row.contactId))) {
    const contact = contactId ? await knownContact(db, contactId) : undefined;
    if (contact?.current.phoneE164 === e164) return contact;
  }
  return undefined;
}
