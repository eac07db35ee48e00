import { and, eq, isNull, lte, or, sql } from 'drizzle-orm';
import { callBudget } from '../../db/schema.js';
import type { Db } from '../database.js';

/**
 * The vendor's rolling minute, and a second more: its clock and ours may differ a little, and it counts a call when it
 * arrives, which may be a little after we counted it.
 */
export const BUDGET_WINDOW_MS = 61_000;

/**
 * A call answered this soon arrived well within the window's margin of when it was taken: it need not be counted again
 * from its end, which saves a write per call.
 */
const QUICK_CALL_MS = 250;

/** A call taken from the budget (`slot` names it), or how long until one frees. */
export type Take = { granted: true; slot: string } | { granted: false; freeInMs: number };

/** The calls every instance on one database may make to the contacts API in a rolling minute. */
export interface CallBudget {
  /** Takes a call now if the rolling minute has room; else says how long until one frees. */
  take(): Promise<Take>;
  /**
   * The call made with `slot` has ended after `tookMs`: a slow one counts from now, since the vendor may have counted
   * it any time until now.
   */
  ended(slot: string, tookMs: number): Promise<void>;
  /** A slot taken for a call that was not made. */
  giveBack(slot: string): Promise<void>;
  /** The vendor said the account's limit is spent (another integration used it): no instance calls for `ms`. */
  spentFor(ms: number): Promise<void>;
  /** The calls made in the rolling minute. */
  used(): Promise<number>;
  /** How long until the `n`-th call from now may be made. */
  waitFor(n: number): Promise<number>;
}

/**
 * The budget of `accountId`'s calls, `callsPerMinute` in any rolling minute, kept in one row of the database: every
 * instance on it, and a restarted one, counts the same calls. Time is the database's, one clock for all instances.
 */
export function callBudgetOf(db: Db, opts: { accountId: string; callsPerMinute: number }): CallBudget {
  const b = callBudget;
  const mine = eq(b.accountId, opts.accountId);
  const recent = sql`array(select c from unnest(${b.calls}) c where c > now() - ${BUDGET_WINDOW_MS} * interval '1 millisecond' order by c)`;
  let created: Promise<unknown> | undefined;
  // The row is made on first use; a failed try is tried again on the next.
  const ready = () => {
    created ??= db
      .insert(b)
      .values({ accountId: opts.accountId })
      .onConflictDoNothing()
      .catch((error: unknown) => {
        created = undefined;
        throw error;
      });
    return created;
  };
  const position = (slot: string) => sql`array_position(${b.calls}, ${slot}::timestamptz)`;

  async function state(): Promise<{ calls: number[]; now: number; blockedUntil?: number }> {
    await ready();
    const [row] = await db
      .select({
        calls: sql<string[]>`${recent}::text[]`,
        now: sql<string>`now()::text`,
        blockedUntil: sql<string | null>`${b.blockedUntil}::text`,
      })
      .from(b)
      .where(mine);
    return {
      calls: (row?.calls ?? []).map(Date.parse),
      now: Date.parse(row?.now ?? new Date().toISOString()),
      ...(row?.blockedUntil ? { blockedUntil: Date.parse(row.blockedUntil) } : {}),
    };
  }

  async function waitFor(n: number): Promise<number> {
    const { calls, now, blockedUntil } = await state();
    return Math.max(waitForCalls(calls, { limit: opts.callsPerMinute, windowMs: BUDGET_WINDOW_MS, now }, n), (blockedUntil ?? 0) - now);
  }

  return {
    async take() {
      await ready();
      // One statement: a second instance waits for the row and re-reads it, so it sees this call before deciding.
      const [row] = await db
        .update(b)
        .set({ calls: sql`${recent} || now()` })
        .where(and(mine, sql`cardinality(${recent}) < ${opts.callsPerMinute}`, or(isNull(b.blockedUntil), lte(b.blockedUntil, sql`now()`))))
        .returning({ slot: sql<string>`now()::text` });
      return row ? { granted: true, slot: row.slot } : { granted: false, freeInMs: Math.max(1, await waitFor(1)) };
    },
    async ended(slot, tookMs) {
      if (tookMs <= QUICK_CALL_MS) return;
      await db
        .update(b)
        .set({ calls: sql`array_replace(${b.calls}, ${slot}::timestamptz, now())` })
        .where(mine);
    },
    async giveBack(slot) {
      await db
        .update(b)
        .set({ calls: sql`${b.calls}[:${position(slot)} - 1] || ${b.calls}[${position(slot)} + 1:]` })
        .where(and(mine, sql`${position(slot)} is not null`));
    },
    async spentFor(ms) {
      await ready();
      await db
        .update(b)
        .set({ blockedUntil: sql`greatest(${b.blockedUntil}, now() + ${Math.round(ms)} * interval '1 millisecond')` })
        .where(mine);
    },
    async used() {
      return (await state()).calls.length;
    },
    waitFor,
  };
}

/**
 * How long from `now` until the `n`-th next call may be made, if calls are made as soon as they may: a call frees a
 * window after each of the newest `limit` recent calls (`calls`, ascending), and each call made then frees another a
 * window later.
 */
export function waitForCalls(calls: readonly number[], opts: { limit: number; windowMs: number; now: number }, n: number): number {
  const held = calls.filter((at) => at > opts.now - opts.windowMs).slice(-opts.limit);
  const index = (n - 1) % opts.limit;
  const cycles = Math.floor((n - 1) / opts.limit);
  const free = opts.limit - held.length;
  const first = index < free ? opts.now : held[index - free]! + opts.windowMs;
  return Math.max(0, first + cycles * opts.windowMs - opts.now);
}
