import { openDatabase, type Database } from './database.js';

/** Error codes of a server that cannot be reached at all, as opposed to one that answered with a refusal. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** The PostgreSQL server in `DATABASE_URL` could not be opened; the message names its host, never its password. */
export class DatabaseUnavailable extends Error {
  constructor(databaseUrl: string, cause: unknown) {
    const url = URL.canParse(databaseUrl) ? new URL(databaseUrl) : undefined;
    const where = url ? `${url.hostname || 'the local socket'}:${url.port || '5432'}` : 'its server';
    const password = url?.password ? decodeURIComponent(url.password) : '';
    const said = cause instanceof Error ? cause.message : String(cause);
    const reason = password ? said.replaceAll(password, '***') : said;
    const code = (cause as { code?: unknown } | undefined)?.code;
    const unreachable = UNREACHABLE.has(String(code)) || /timeout|terminated/i.test(said);
    super(`the database at ${where} (DATABASE_URL) ${unreachable ? 'is not reachable' : 'refused to open'}: ${reason}`, { cause });
    this.name = 'DatabaseUnavailable';
  }
}

/** `openDatabase`, with a PostgreSQL failure turned into a `DatabaseUnavailable` that says which database it was. */
export async function openConfiguredDatabase(config: { databaseUrl?: string; pgliteDir: string }): Promise<Database> {
  try {
    return await openDatabase(config);
  } catch (error) {
    throw config.databaseUrl ? new DatabaseUnavailable(config.databaseUrl, error) : error;
  }
}
