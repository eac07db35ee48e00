import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import type { CountryCode } from 'libphonenumber-js/max';
import { createDelivery } from './audit/delivery.js';
import { reportRequest, formatNumber, type ReportStyle } from './audit/report.js';
import { findRequest, recentRequests, type RequestRow } from './audit/requests.js';
import { ConfigError, loadConfig } from './config.js';
import { parseContactText } from './contact/text.js';
import { validateContact } from './contact/validate.js';
import { openDatabase, type Database } from './database.js';
import { connectEndpoint } from './endpoint.js';
import { createLogger } from './log.js';
import { fullName } from './contact/contact.js';

const USAGE = `usage:
  npm run cli -- add "Mr Arjun Mehta +91 98765 43210" [--country IN]
  npm run cli -- history [--limit 20]`;

const plain: ReportStyle = {
  strong: (text) => text,
  user: (id) => id,
  time: (at) => at.toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
};

/** Exit codes: 0 created, 1 refused (duplicate, rejected, …), 2 bad input, 75 queued for a retry. */
async function main(argv: string[]): Promise<number> {
  const { positionals, values } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: { country: { type: 'string' }, limit: { type: 'string', default: '20' }, help: { type: 'boolean' } },
  });
  const [command, ...rest] = positionals;
  if (values.help || (command !== 'add' && command !== 'history')) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }

  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const log = createLogger(config.logLevel, 'contact-bot-cli', (line) => process.stderr.write(line));
  const database = await openDatabase(config);
  try {
    if (command === 'history') return await history(database, Number(values.limit) || 20);
    return await add(database, rest.join(' '), values.country?.toUpperCase() as CountryCode | undefined);
  } finally {
    await database.close();
  }

  async function add({ db }: Database, text: string, country: CountryCode | undefined): Promise<number> {
    const { unplaced = [], ...draft } = parseContactText(text);
    const checked = validateContact({ ...draft, country }, config.defaultCountry);
    // Text the parser could not place would otherwise be guessed into a name; the user says what it is.
    if (!checked.ok || unplaced.length > 0) {
      console.error(`Not created: ${JSON.stringify(text)}`);
      for (const part of unplaced) console.error(`  ${JSON.stringify(part)}: neither the name nor the number (an extension is digits: "x12")`);
      for (const [field, message] of Object.entries(checked.ok ? {} : checked.errors)) console.error(`  ${field}: ${message}`);
      return 2;
    }
    const endpoint = await connectEndpoint(config, db, log);
    let queued = false;
    const delivery = createDelivery(db, {
      createContacts: endpoint.createContacts,
      log,
      deadlineMs: config.delivery.deadlineMs,
      leaseMs: config.delivery.leaseMs,
      hooks: { onQueued: async () => void (queued = true), onSettled: async () => {} },
    });
    const user = `cli:${userInfo().username}`;
    const { row } = await delivery.accept({ idempotencyKey: randomUUID(), userId: user, source: 'cli', contact: checked.contact });
    await delivery.deliverNow([row.id]);
    await endpoint.emulator?.close();
    const settled = await findRequest(db, row.id);
    const report = await reportRequest(db, settled!, plain, queued);
    console.log([report.title, ...report.lines.map((l) => `  ${l}`)].join('\n'));
    if (queued) return 75;
    return settled!.status === 'created' ? 0 : 1;
  }
}

async function history({ db }: Database, limit: number): Promise<number> {
  const rows = await recentRequests(db, { limit });
  if (rows.length === 0) console.log('No requests yet.');
  for (const row of rows) console.log(historyLine(row));
  return 0;
}

function historyLine(row: RequestRow): string {
  const name = fullName(row);
  const at = plain.time(row.createdAt);
  return [`#${row.id}`, at, row.source, row.userId, row.status.padEnd(12), name, formatNumber(row), row.contactId ?? ''].join('  ').trimEnd();
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `contact-bot: ${error instanceof Error ? error.message : error}`);
    process.exit(error instanceof ConfigError ? 2 : 1);
  },
);
