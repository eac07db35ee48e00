import type { CountryCode } from 'libphonenumber-js/max';
import type { Contact } from '../contact/contact.js';
import { validateContact, type ContactInput, type InvalidContact } from '../contact/validate.js';
import type { Delivery } from './delivery.js';
import { sameContact, type NewRequest, type RequestRow } from './requests.js';

/** A contact as a way in read it from its user, before anything is checked. */
export interface Submission extends Omit<NewRequest, 'contact' | 'idempotencyKey'> {
  input: ContactInput;
  /** Text the way in read but could not place in a field: refused, never guessed into a name. */
  unplaced?: readonly string[];
  /** The same submission made again (a double click, Slack's retry) gives the same key, so it is one request. */
  idempotencyKey(contact: Contact): string;
  /** An edit's contact as it stands (its last create or update): an edit to the same values is not recorded. */
  current?: RequestRow;
}

/** What became of a submission. */
export type Submitted =
  /** Nothing was recorded: what is wrong with the contact (`invalid`), and any text that could not be placed. */
  | { kind: 'invalid'; invalid?: InvalidContact; unplaced: readonly string[] }
  /** An edit to the values the contact already has: nothing was recorded or sent. */
  | { kind: 'unchanged' }
  /** The audit trail could not record it in time: nothing was recorded or sent. */
  | { kind: 'not-recorded'; error: unknown }
  /** Recorded (`isNew`: by this submission), and its first attempt made. */
  | { kind: 'accepted'; row: RequestRow; isNew: boolean };

export interface SubmitDeps {
  delivery: Pick<Delivery, 'accept' | 'deliverNow'>;
  defaultCountry: CountryCode;
}

/**
 * The one path every way in takes: validate → record → report → send. `recorded` is the way in's chance to tell its
 * user the request is saved before it is sent (the modal's ack); whatever it does, an accepted request is sent.
 */
export type Submit = (submission: Submission, recorded?: (row: RequestRow, isNew: boolean) => Promise<void>) => Promise<Submitted>;

/** The submit path over this delivery. */
export function submitter(deps: SubmitDeps): Submit {
  return (submission, recorded) => submit(deps, submission, recorded);
}

async function submit(
  deps: SubmitDeps,
  submission: Submission,
  recorded?: (row: RequestRow, isNew: boolean) => Promise<void>,
): Promise<Submitted> {
  const { input, unplaced = [], idempotencyKey, current, ...request } = submission;
  const checked = validateContact(input, deps.defaultCountry);
  if (!checked.ok || unplaced.length > 0) return { kind: 'invalid', ...(checked.ok ? {} : { invalid: checked }), unplaced };
  if (current && sameContact(checked.contact, current)) return { kind: 'unchanged' };
  let accepted: { row: RequestRow; isNew: boolean };
  try {
    accepted = await deps.delivery.accept({ ...request, idempotencyKey: idempotencyKey(checked.contact), contact: checked.contact });
  } catch (error) {
    return { kind: 'not-recorded', error };
  }
  try {
    await recorded?.(accepted.row, accepted.isNew);
  } finally {
    // Accepted is accepted: even if the way in could not tell its user, the request is sent and its outcome told.
    if (accepted.isNew) await deps.delivery.deliverNow([accepted.row.id]);
  }
  return { kind: 'accepted', ...accepted };
}
