import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { CountryCode } from 'libphonenumber-js/max';
import { createDelivery } from './audit/delivery.js';
import { reportRequest, formatNumber, type ReportStyle } from './audit/report.js';
import { findRequest, recentRequests, type RequestRow } from './audit/requests.js';
import { readArguments, UsageError, USAGE } from './cli-args.js';
import { ConfigError, loadConfig } from './config.js';
import { countryCallingCode } from './contact/phone.js';
import { parseContactText } from './contact/text.js';
import { fieldMessages, otherCountryExample, validateContact } from './contact/validate.js';
import type { Database } from './database.js';
import { openConfiguredDatabase } from './database-error.js';
import { connectEndpoint } from './endpoint.js';
import { FolderInUseError } from './folder-lock.js';
import { createLogger } from './log.js';
import { fullName } from './contact/contact.js';

/** Exit codes, as the usage and the README list them (70 and 75 are sysexits' EX_SOFTWARE and EX_TEMPFAIL). */
const EXIT = { ok: 0, refused: 1, badInput: 2, couldNotRun: 70, queued: 75 } as const;

const plain: ReportStyle = {
  text: (text) => text,
  strong: (text) => text,
  user: (id) => id,
  time: (at) => at.toISOString().replace('T', ' ').slice(0, 16) + ' UTC',
};

async function main(argv: string[]): Promise<number> {
  const request = readArguments(argv);
  if (request.command === 'help') {
    console.log(USAGE);
    return 0;
  }

  const config = loadConfig({ ...process.env, LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const log = createLogger(config.logLevel, 'contact-bot-cli', (line) => process.stderr.write(line));
  const database = await openConfiguredDatabase(config);
  try {
    if (request.command === 'history') return await history(database, request.limit);
    return await add(database, request.text, request.country);
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
      const errors = checked.ok ? {} : fieldMessages(checked, countryHint);
      for (const [field, message] of Object.entries(errors)) console.error(`  ${field}: ${message}`);
      return EXIT.badInput;
    }
    const endpoint = await connectEndpoint(config, db, log);
    let queued = false;
    const delivery = createDelivery(db, {
      contacts: endpoint.contacts,
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
    if (queued) return EXIT.queued;
    return settled!.status === 'created' ? EXIT.ok : EXIT.refused;
  }
}

/** The CLI's own ways to another country: the option, or the number typed with its calling code. */
function countryHint(readIn: CountryCode): string {
  const other = otherCountryExample(readIn);
  return `For another country, use --country ${other} or type the number with ${countryCallingCode(other)}.`;
}

async function history({ db }: Database, limit: number): Promise<number> {
  const rows = await recentRequests(db, { limit });
  if (rows.length === 0) console.log('No requests yet.');
  for (const row of rows) console.log(historyLine(row));
  return EXIT.ok;
}

function historyLine(row: RequestRow): string {
  const name = fullName(row);
  const at = plain.time(row.createdAt);
  return [`#${row.id}`, at, row.source, row.userId, row.status.padEnd(12), name, formatNumber(row), row.contactId ?? ''].join('  ').trimEnd();
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`contact-bot: ${error.message}\n(npm run cli -- --help shows how to use it)`);
      process.exit(EXIT.badInput);
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(EXIT.badInput);
    }
    const why = error instanceof Error ? error.message : String(error);
    console.error(error instanceof FolderInUseError ? `contact-bot: ${why}` : `contact-bot: could not run: ${why}`);
    process.exit(EXIT.couldNotRun);
  },
);
