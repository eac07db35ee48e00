import { and, eq } from 'drizzle-orm';
import { contactRequests } from '../../db/schema.js';
import type { ContactInput } from '../contact/validate.js';
import type { Db } from '../database.js';
import { knownContact, type KnownContact } from './contacts.js';
import { findRequest, type RequestRow } from './requests.js';
import type { Submission } from './submit.js';

/**
 * What a person may ask of a request they were told about: edit or delete the contact it created or changed, or try
 * a failed request again. The request is named by its id alone and read again here, so nothing else a button or a
 * command line carries is believed.
 */
export type Change = 'edit' | 'delete' | 'retry';

/** Why a request does not allow the change. */
export type NotChangeable = 'unknown' | 'no-contact' | 'deleted' | 'deleting' | 'not-failed';

/**
 * Whether a change may be made, and on what; either way, who may make it besides an admin (`creatorId`, when the
 * request exists): the user who created its contact, or who made it. Who may is checked first, so nobody else learns
 * anything of the request.
 */
export type Target<T> =
  | ({ ok: true; request: RequestRow; creatorId: string } & T)
  | { ok: false; why: NotChangeable; request?: RequestRow; creatorId?: string };

/** The contact an edit or a delete acts on, as it stands. */
export type ContactTarget = Target<{ contact: KnownContact }>;

/** The failed request a retry tries again. */
export type RetryTarget = Target<object>;

/** A request id as a button or a command line gives it: digits only, no sign, no exponent. */
export function parseRequestId(value: unknown): number | undefined {
  if (typeof value !== 'string' || !/^[1-9]\d{0,14}$/.test(value.trim())) return undefined;
  return Number(value.trim());
}

/** Reads request `id` again: the contact it created or changed, as it stands, if it may still be edited or deleted. */
export async function contactToChange(db: Db, id: number): Promise<ContactTarget> {
  const request = await findRequest(db, id);
  if (!request) return { ok: false, why: 'unknown' };
  const contactId = request.status === 'created' || request.status === 'updated' ? request.contactId : null;
  const contact = contactId ? await knownContact(db, contactId) : undefined;
  if (!contact) return { ok: false, why: 'no-contact', request, creatorId: request.userId };
  const creatorId = contact.creation.userId;
  if (contact.deletion) return { ok: false, why: 'deleted', request, creatorId };
  if (await deletePending(db, contact.contactId)) return { ok: false, why: 'deleting', request, creatorId };
  return { ok: true, request, contact, creatorId };
}

/** Reads request `id` again: it may be tried again if it failed. */
export async function requestToRetry(db: Db, id: number): Promise<RetryTarget> {
  const request = await findRequest(db, id);
  if (!request) return { ok: false, why: 'unknown' };
  const creation = request.targetContactId ? (await knownContact(db, request.targetContactId))?.creation : undefined;
  const creatorId = (creation ?? request).userId;
  if (request.status !== 'failed') return { ok: false, why: 'not-failed', request, creatorId };
  return { ok: true, request, creatorId };
}

async function deletePending(db: Db, contactId: string): Promise<boolean> {
  const t = contactRequests;
  const [row] = await db
    .select({ id: t.id })
    .from(t)
    .where(and(eq(t.targetContactId, contactId), eq(t.status, 'pending'), eq(t.operation, 'delete')))
    .limit(1);
  return row !== undefined;
}

/** What a change submits besides who asks, where from and how they are told. */
export type ChangeSubmission = Pick<Submission, 'input' | 'operation' | 'targetContactId' | 'current' | 'retryOf'>;

/**
 * An edit of `contact`, to the values the person gives (as `input`, validated as a create is): not recorded when it
 * changes nothing.
 */
export function editOf(contact: KnownContact): Omit<ChangeSubmission, 'input'> {
  return { operation: 'update', targetContactId: contact.contactId, current: contact.current };
}

/** The delete of `contact`, recording the values it had. */
export function deletionOf(contact: KnownContact): ChangeSubmission {
  return { input: inputOf(contact.current), operation: 'delete', targetContactId: contact.contactId };
}

/** A failed request tried again: a new request for the same contact and change, linked to it in the trail. */
export function retryOf(request: RequestRow): ChangeSubmission {
  return {
    input: inputOf(request),
    operation: request.operation,
    ...(request.targetContactId ? { targetContactId: request.targetContactId } : {}),
    retryOf: request,
  };
}

/** The values a request carries, as input to check again (a number in E.164 reads the same in any country). */
function inputOf(row: RequestRow): ContactInput {
  return {
    ...(row.salutation ? { salutation: row.salutation } : {}),
    firstName: row.firstName,
    lastName: row.lastName,
    phone: row.phoneE164,
    ...(row.extension ? { extension: row.extension } : {}),
  };
}

/** Why the change cannot be made, in words for the person who asked. */
export function notChangeableMessage(why: NotChangeable, change: Change, request?: RequestRow): string {
  const verb = { edit: 'edited', delete: 'deleted', retry: 'tried again' }[change];
  switch (why) {
    case 'unknown':
      return 'That is not a request this app knows, so nothing was done.';
    case 'no-contact':
      return `That request did not make a contact, so there is nothing to be ${verb}.`;
    case 'deleted':
      return `That contact was deleted, so it cannot be ${verb}.`;
    case 'deleting':
      return `That contact is being deleted, so it cannot be ${verb}.`;
    case 'not-failed':
      return `Only a request that failed can be tried again; this one is ${request?.status ?? 'not failed'}.`;
  }
}
