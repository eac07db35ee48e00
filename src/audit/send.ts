import type { Log } from '../log.js';
import type { ContactsClient } from '../kore/client.js';
import { RATE_LIMIT_WAIT_MS, type Outcome, type Unavailable } from '../kore/outcome.js';
import type { CallBudget } from './budget.js';
import { requestContact, type RequestRow } from './requests.js';
import type { Settler } from './settle.js';

export interface SenderOptions {
  contacts: ContactsClient;
  settler: Settler;
  budget: CallBudget;
  log: Log;
  /** The endpoint answered with success: requests waiting for it need not wait longer. */
  succeeded(): void;
  /** Runs work nobody waits for as the worker's tracked work, so a stop waits for it. */
  track(work: Promise<void>): Promise<void>;
}

/**
 * Sends claimed requests and hands each answer to the settler: creates together in one call, a batch the endpoint
 * refuses as a whole split until each refusal is isolated; an update or a delete one contact per call. Every call is
 * taken from the budget first (the first may come with the claim, as `slot`); requests it has no call for wait for one.
 */
export function createSender(opts: SenderOptions): (rows: RequestRow[], slot?: string) => Promise<void> {
  const { contacts, settler, budget, log } = opts;

  /** Makes one call for `rows` within the budget; undefined when there was no call to make it with. */
  async function call(rows: RequestRow[], given: string | undefined, make: () => Promise<Outcome>): Promise<Outcome | undefined> {
    const taken = given === undefined ? await budget.take() : { granted: true as const, slot: given };
    if (!taken.granted) {
      await settler.waitForBudget(rows, taken.freeInMs);
      return undefined;
    }
    const started = Date.now();
    const outcome = await make();
    void opts.track(budget.ended(taken.slot, Date.now() - started));
    answered(rows, outcome, started);
    // Another integration spent the account's minute: no instance calls again before the vendor allows it.
    if (outcome.kind === 'unavailable' && outcome.rateLimited) await budget.spentFor(outcome.retryAfterMs ?? RATE_LIMIT_WAIT_MS);
    return outcome;
  }

  function answered(rows: RequestRow[], outcome: Outcome, started: number): void {
    if (outcome.kind === 'created' || outcome.kind === 'updated' || outcome.kind === 'deleted') opts.succeeded();
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

  async function create(rows: RequestRow[], slot?: string): Promise<void> {
    const outcome = await call(rows, slot, () => contacts.create(rows.map(requestContact)));
    if (outcome === undefined) return;
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

  async function change(row: RequestRow, slot?: string): Promise<void> {
    const target = row.targetContactId ?? '';
    const outcome = await call([row], slot, () =>
      row.operation === 'update' ? contacts.update(target, requestContact(row)) : contacts.remove(target),
    );
    if (outcome === undefined) return;
    if (outcome.kind === 'unavailable') return settler.retryOrFail(row, outcome);
    if ((outcome.kind === 'updated' || outcome.kind === 'deleted') && outcome.contact.id !== target) {
      return settler.retryOrFail(row, withoutThisContact(outcome.status));
    }
    return settler.settle([{ row, outcome }]);
  }

  return async (rows, slot) => {
    const creates = rows.filter((row) => row.operation === 'create');
    const changes = rows.filter((row) => row.operation !== 'create');
    // The slot that came with the claim makes the first call; any other call takes its own.
    const slots = slot === undefined ? [] : [slot];
    await Promise.all([
      creates.length > 0 ? create(creates, slots.shift()) : undefined,
      ...changes.map((row) => change(row, slots.shift())),
    ]);
  };
}

/** A success that does not carry the request's contact: it may still have been made, so it is tried again. */
function withoutThisContact(status: number): Unavailable {
  return { kind: 'unavailable', status, messages: ['The endpoint answered without this contact.'] };
}
