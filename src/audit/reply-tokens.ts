import { eq, inArray } from 'drizzle-orm';
import { replyTokens } from '../../db/schema.js';
import type { Db } from '../database.js';

/**
 * A reply token could not be kept. The database's own error is not carried: its text would quote the statement's
 * parameters, the token among them, into the log.
 */
export class ReplyTokenNotKept extends Error {
  constructor(readonly code: string | undefined) {
    super(`the reply's token could not be kept${code ? ` (SQLSTATE ${code})` : ''}`);
    this.name = 'ReplyTokenNotKept';
  }
}

/** Keeps the token request `requestId`'s reply needs, inside the transaction that records the request. */
export async function keepReplyToken(tx: Db, requestId: number, token: string): Promise<void> {
  try {
    await tx.insert(replyTokens).values({ requestId, token });
  } catch (error) {
    throw new ReplyTokenNotKept(sqlState(error));
  }
}

/** The token request `requestId`'s reply needs, while it is kept. */
export async function replyToken(db: Db, requestId: number): Promise<string | undefined> {
  const [row] = await db.select({ token: replyTokens.token }).from(replyTokens).where(eq(replyTokens.requestId, requestId));
  return row?.token;
}

/** Forgets the tokens of these requests: their outcome was told, or telling it was given up. */
export async function forgetReplyTokens(tx: Db, requestIds: number[]): Promise<void> {
  if (requestIds.length > 0) await tx.delete(replyTokens).where(inArray(replyTokens.requestId, requestIds));
}

/** The SQLSTATE of a database error, on it or on the driver's error drizzle wraps in it. */
function sqlState(error: unknown): string | undefined {
  const { code, cause } = (error ?? {}) as { code?: unknown; cause?: { code?: unknown } };
  if (typeof code === 'string') return code;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}
