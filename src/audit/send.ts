import type { Log } from '../log.js';
import type { ContactsClient } from '../kore/client.js';
import type { Outcome, Unavailable } from '../kore/outcome.js';
import { requestContact, type RequestRow } from './requests.js';
import type { Settler } from './settle.js';

/**
 * Sends claimed requests and hands each answer to the settler: creates together in one call, a batch the endpoint
 * refuses as a whole split until each refusal is isolated; an update or a delete one contact per call. Each success
 * is reported to `succeeded` (the endpoint answers: requests waiting for it need not wait longer).
 */
export function createSender(
  contacts: ContactsClient,
  settler: Settler,
  log: Log,
  succeeded: () => void,
): (rows: RequestRow[]) => Promise<void> {
  function answered(rows: RequestRow[], outcome: Outcome, started: number): void {
    if (outcome.kind === 'created' || outcome.kind === 'updated' || outcome.kind === 'deleted') succeeded();
    log.debug(
      {
        requests: rows.map((r) => r.id),
        phones: rows.map((r) => r.phoneE164),
        outcome: outcome.kind,
        status: outcome.status,
        ms: Date.now() - started,
      },
      'contacts endpoint answered',
    );
  }

  async function create(rows: RequestRow[]): Promise<void> {
    const started = Date.now();
    const outcome = await contacts.create(rows.map(requestContact));
    answered(rows, outcome, started);
    if (outcome.kind === 'created') {
      const matched = rows.map((row) => ({
        row,
        created: rows.length === 1 ? outcome.contacts[0] : outcome.contacts.find((c) => c.phoneNumber === row.phoneE164),
      }));
      await Promise.all([
        settler.settle(matched.flatMap(({ row, created }) => (created ? [{ row, outcome: { ...outcome, contacts: [created] } }] : []))),
        ...matched.filter(({ created }) => !created).map(({ row }) => settler.retryOrFail(row, withoutThisContact(outcome.status))),
      ]);
    } else if (rows.length > 1 && (outcome.kind === 'duplicate' || outcome.kind === 'rejected')) {
      const half = Math.ceil(rows.length / 2);
      await create(rows.slice(0, half));
      await create(rows.slice(half));
    } else if (outcome.kind === 'unavailable') {
      await Promise.all(rows.map((row) => settler.retryOrFail(row, outcome)));
    } else {
      await settler.settle(rows.map((row) => ({ row, outcome })));
    }
  }

  async function change(row: RequestRow): Promise<void> {
    const started = Date.now();
    const target = row.targetContactId ?? '';
    const outcome = row.operation === 'update' ? await contacts.update(target, requestContact(row)) : await contacts.remove(target);
    answered([row], outcome, started);
    if (outcome.kind === 'unavailable') return settler.retryOrFail(row, outcome);
    if ((outcome.kind === 'updated' || outcome.kind === 'deleted') && outcome.contact.id !== target) {
      return settler.retryOrFail(row, withoutThisContact(outcome.status));
    }
    return settler.settle([{ row, outcome }]);
  }

  return async (rows) => {
    const creates = rows.filter((row) => row.operation === 'create');
    await Promise.all([creates.length > 0 ? create(creates) : undefined, ...rows.filter((row) => row.operation !== 'create').map(change)]);
  };
}

/** A success that does not carry the request's contact: it may still have been made, so it is tried again. */
function withoutThisContact(status: number): Unavailable {
  return { kind: 'unavailable', status, messages: ['The endpoint answered without this contact.'] };
}
