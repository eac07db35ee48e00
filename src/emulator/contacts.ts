import { randomUUID } from 'node:crypto';
import { and, asc, eq, inArray, ne, sql } from 'drizzle-orm';
import { z } from 'zod';
import { emulatorContacts } from '../../db/schema.js';
import type { Db } from '../database.js';
import type { KoreIdentity } from '../kore/endpoint.js';
import { type Answer, duplicate, notFound } from './answers.js';

type Row = typeof emulatorContacts.$inferSelect;

const digits = z.string().regex(/^\d{4,17}$/, 'must be 4 to 17 digits without spaces or symbols');
const ContactBody = z.object({
  firstName: z.string().trim().min(1, 'is required'),
  lastName: z.string().trim().min(1, 'is required'),
  salutation: z.string(),
  cellPhone: z.object({
    phoneNumber: digits,
    countryCode: z.string().regex(/^\+\d{1,3}$/, 'must look like +91'),
    extension: z.string(),
  }),
});
type ContactBody = z.infer<typeof ContactBody>;
const CreateBody = z.array(ContactBody).min(1, 'must hold at least one contact').max(100, 'must hold at most 100 contacts');

/** `skip` and `limit` of a list: whole numbers; a page holds at most 100 contacts. */
const Page = z.object({
  skip: z.coerce.number().int('must be a whole number').min(0, 'must not be negative').default(0),
  limit: z.coerce.number().int('must be a whole number').min(1, 'must be at least 1').max(100, 'must be at most 100').default(50),
});

/** The contacts of one stream, as the vendor keeps them: one active contact per number; a delete is soft. */
export function contactStore(db: Db, identity: KoreIdentity) {
  const orgId = `o-${randomUUID()}`;
  const t = emulatorContacts;
  const ofStream = eq(t.streamId, identity.streamId);
  const view = (row: Row) => contactView(row, orgId);

  function fields(c: ContactBody) {
    return {
      salutation: c.salutation,
      firstName: c.firstName,
      lastName: c.lastName,
      phoneE164: c.cellPhone.countryCode + c.cellPhone.phoneNumber,
      countryCode: c.cellPhone.countryCode,
      extension: c.cellPhone.extension,
    };
  }

  /** The number among `numbers` an active contact other than `except` holds, if any. */
  async function taken(numbers: string[], except = ''): Promise<string | undefined> {
    const [row] = await db
      .select({ phone: t.phoneE164 })
      .from(t)
      .where(and(ofStream, eq(t.status, 'ACTIVE'), inArray(t.phoneE164, numbers), ne(t.id, except)))
      .limit(1);
    return row?.phone;
  }

  return {
    async create(json: unknown): Promise<Answer> {
      const body = CreateBody.safeParse(json);
      if (!body.success) return invalid(body.error);
      const rows = body.data.map((c) => ({
        id: `c-${randomUUID()}`,
        streamId: identity.streamId,
        accountId: identity.accountId,
        createdBy: `u-${identity.clientId}`,
        ...fields(c),
      }));
      const numbers = rows.map((r) => r.phoneE164);
      const repeated = numbers.find((n, i) => numbers.indexOf(n) !== i);
      if (repeated) return duplicate(repeated);
      try {
        return { status: 200, body: (await db.insert(t).values(rows).returning()).map(view) };
      } catch (error) {
        const number = await taken(numbers);
        if (number) return duplicate(number);
        throw error;
      }
    },

    /** Replaces an active contact's fields; a deleted contact is not found. */
    async update(id: string, json: unknown): Promise<Answer> {
      const body = ContactBody.safeParse(json);
      if (!body.success) return invalid(body.error);
      const changed = fields(body.data);
      try {
        const [row] = await db
          .update(t)
          .set({ ...changed, updatedAt: sql`now()` })
          .where(and(ofStream, eq(t.id, id), eq(t.status, 'ACTIVE')))
          .returning();
        return row ? { status: 200, body: view(row) } : notFound();
      } catch (error) {
        const number = await taken([changed.phoneE164], id);
        if (number) return duplicate(number);
        throw error;
      }
    },

    /** Makes a contact `INACTIVE` (its number free for another); deleting it again answers it as it is. */
    async remove(id: string): Promise<Answer> {
      const [deleted] = await db
        .update(t)
        .set({ status: 'INACTIVE', updatedAt: sql`now()` })
        .where(and(ofStream, eq(t.id, id), eq(t.status, 'ACTIVE')))
        .returning();
      const [row] = deleted
        ? [deleted]
        : await db
            .select()
            .from(t)
            .where(and(ofStream, eq(t.id, id)));
      return row ? { status: 200, body: view(row) } : notFound();
    },

    /** A page of the active contacts, oldest first. */
    async list(query: URLSearchParams): Promise<Answer> {
      const page = Page.safeParse({ skip: query.get('skip') || undefined, limit: query.get('limit') || undefined });
      if (!page.success) return invalid(page.error);
      const { skip, limit } = page.data;
      const active = and(ofStream, eq(t.status, 'ACTIVE'));
      const [[counted], rows] = await Promise.all([
        db.select({ n: sql<number>`count(*)::int` }).from(t).where(active),
        db.select().from(t).where(active).orderBy(asc(t.createdAt), asc(t.id)).offset(skip).limit(limit),
      ]);
      const total = counted?.n ?? 0;
      const results = rows.map(view);
      return {
        status: 200,
        body: { results, skip, limit, hasMore: skip + results.length < total, totalPages: Math.ceil(total / limit), totalResults: total },
      };
    },
  };
}

export type ContactStore = ReturnType<typeof contactStore>;

function invalid(error: z.ZodError): Answer {
  const messages = error.issues.map((i) => `${i.path.join('.') || 'body'} ${i.message}`);
  return { status: 400, body: { errors: messages.map((msg) => ({ msg, code: 'BAD_REQUEST' })) } };
}

/** A contact as the vendor answers it. */
function contactView(row: Row, orgId: string) {
  return {
    id: row.id,
    status: row.status,
    firstName: row.firstName,
    lastName: row.lastName,
    salutation: row.salutation,
    cellPhone: { phoneNumber: row.phoneE164, countryCode: row.countryCode, extension: row.extension },
    createdBy: row.createdBy,
    orgId,
    accountId: row.accountId,
    instanceBotId: row.streamId,
    fullName: `${row.firstName} ${row.lastName}`,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
