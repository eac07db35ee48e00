import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { CountryCode } from 'libphonenumber-js/max';
import { callBudgetOf } from './audit/budget.js';
import { createDelivery } from './audit/delivery.js';
import { historyLine, reportRequest, type ReportStyle } from './audit/report.js';
import { findRequest, recentRequests } from './audit/requests.js';
import { submitter } from './audit/submit.js';
import { readArguments, UsageError, USAGE } from './cli-args.js';
import { ConfigError, loadConfig } from './config.js';
import { countryCallingCode } from './contact/phone.js';
import { parseContactText } from './contact/text.js';
import { fieldMessages, otherCountryExample } from './contact/validate.js';
import type { Database } from './database.js';
import { openConfiguredDatabase } from './database-error.js';
import { connectEndpoint, type ContactsEndpoint } from './endpoint.js';
import { EMULATOR_IDENTITY } from './kore/endpoint.js';
import { FolderInUseError } from './folder-lock.js';
import { createLogger } from './log.js';

/** Exit codes, as the usage and the README list them (70 and 75 are sysexits' EX_SOFTWARE and EX_TEMPFAIL). */
const EXIT = { ok: 0, refused: 1, badInput: 2, couldNotRun: 70, queued: 75 } as const;

const plain: ReportStyle = {
  text: (text) => text,
  strong: (text) => text,
  user: (id) => id,
  time: (at) => `${at.toISOString().replace('T', ' ').slice(0, 16)} UTC`,
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
    const { unplaced, ...draft } = parseContactText(text);
    // The endpoint is connected (the emulator started) only once there is a valid contact to send.
    let endpoint: Promise<ContactsEndpoint> | undefined;
    const connect = async () => (await (endpoint ??= connectEndpoint(config, db, log))).contacts;
    const budget = callBudgetOf(db, {
      accountId: config.kore?.accountId ?? EMULATOR_IDENTITY.accountId,
      callsPerMinute: config.delivery.callsPerMinute,
    });
    const delivery = createDelivery(db, {
      contacts: {
        create: async (contacts) => (await connect()).create(contacts),
        update: async (id, contact) => (await connect()).update(id, contact),
        remove: async (id) => (await connect()).remove(id),
      },
      budget,
      log,
      deadlineMs: config.delivery.deadlineMs,
      leaseMs: config.delivery.leaseMs,
      // The CLI tells its user itself, below, once the first attempt is made.
      hooks: { onQueued: async () => {}, onSettled: async () => {} },
    });
    const submitted = await submitter({ delivery, defaultCountry: config.defaultCountry })({
      input: { ...draft, country },
      ...(unplaced ? { unplaced } : {}),
      userId: `cli:${userInfo().username}`,
      source: 'cli',
      reply: { kind: 'cli' },
      idempotencyKey: () => randomUUID(),
    });
    await (await endpoint)?.emulator?.close();
    if (submitted.kind === 'not-recorded') throw submitted.error;
    if (submitted.kind === 'invalid') {
      console.error(`Not created: ${JSON.stringify(text)}`);
      for (const part of submitted.unplaced)
        console.error(`  ${JSON.stringify(part)}: neither the name nor the number (an extension is digits: "x12")`);
      const errors = submitted.invalid ? fieldMessages(submitted.invalid, countryHint) : {};
      for (const [field, message] of Object.entries(errors)) console.error(`  ${field}: ${message}`);
      return EXIT.badInput;
    }
    // Still pending after its first attempt: the endpoint did not answer, or the budget had no call; it waits.
    const settled = (await findRequest(db, submitted.row.id)) ?? submitted.row;
    const queued = settled.status === 'pending';
    const report = await reportRequest({ db, budget, batchSize: config.delivery.batchSize }, settled, plain, queued);
    console.log([report.title, ...report.lines.map((l) => `  ${l}`)].join('\n'));
    if (queued) return EXIT.queued;
    return settled.status === 'created' ? EXIT.ok : EXIT.refused;
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
  for (const row of rows) console.log(historyLine(row, plain));
  return EXIT.ok;
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
