import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import type { CountryCode } from 'libphonenumber-js/max';
import { callBudgetOf } from './audit/budget.js';
import { createDelivery } from './audit/delivery.js';
import { historyLine, reportRequest, type ReportStyle } from './audit/report.js';
import { contactToChange, deletionOf, editOf, notChangeableMessage } from './audit/changeable.js';
import { findRequest, recentRequests, type RequestStatus } from './audit/requests.js';
import { submitter, type Submission } from './audit/submit.js';
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
    switch (request.command) {
      case 'history':
        return await history(database, request.limit);
      case 'add':
        return await send(database, fromText(request.text, request.country), `Not created: ${JSON.stringify(request.text)}`);
      case 'edit': {
        const target = await contactToChange(database.db, request.requestId);
        if (!target.ok) return notChangeable(notChangeableMessage(target.why, 'edit', target.request));
        const edit = { ...editOf(target.contact), ...fromText(request.text, request.country) };
        return await send(database, edit, `Not changed: ${JSON.stringify(request.text)}`);
      }
      case 'delete': {
        const target = await contactToChange(database.db, request.requestId);
        if (!target.ok) return notChangeable(notChangeableMessage(target.why, 'delete', target.request));
        return await send(database, deletionOf(target.contact), `Not deleted: #${request.requestId}`);
      }
    }
  } finally {
    await database.close();
  }

  /**
   * Sends one request through the submit path, as its only worker: the first attempt is made here, and a request the
   * endpoint does not take now waits in the audit trail for a running contact bot. Prints the outcome or what is wrong.
   */
  async function send({ db }: Database, request: CliSubmission, refused: string): Promise<number> {
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
      ...request,
      userId: `cli:${userInfo().username}`,
      source: 'cli',
      reply: { kind: 'cli' },
      idempotencyKey: () => randomUUID(),
    });
    await (await endpoint)?.emulator?.close();
    switch (submitted.kind) {
      case 'not-recorded':
        throw submitted.error;
      case 'unchanged':
        console.error(`${refused}\n  it is what the contact already has`);
        return EXIT.badInput;
      case 'invalid': {
        console.error(refused);
        for (const part of submitted.unplaced)
          console.error(`  ${JSON.stringify(part)}: neither the name nor the number (an extension is digits: "x12")`);
        const errors = submitted.invalid ? fieldMessages(submitted.invalid, countryHint) : {};
        for (const [field, message] of Object.entries(errors)) console.error(`  ${field}: ${message}`);
        return EXIT.badInput;
      }
    }
    // Still pending after its first attempt: the endpoint did not answer, or the budget had no call; it waits.
    const settled = (await findRequest(db, submitted.row.id)) ?? submitted.row;
    const queued = settled.status === 'pending';
    const report = await reportRequest({ db, budget, batchSize: config.delivery.batchSize }, settled, plain, queued);
    console.log([report.title, ...report.lines.map((l) => `  ${l}`)].join('\n'));
    if (queued) return EXIT.queued;
    return DONE.has(settled.status) ? EXIT.ok : EXIT.refused;
  }
}

/** What a command asks the submit path for, before who asks and how they are told. */
type CliSubmission = Omit<Submission, 'userId' | 'source' | 'reply' | 'idempotencyKey'>;

const DONE: ReadonlySet<RequestStatus> = new Set(['created', 'updated', 'deleted']);

/** A contact typed on the command line, as the submit path takes it. */
function fromText(text: string, country: CountryCode | undefined): Pick<Submission, 'input' | 'unplaced'> {
  const { unplaced, ...draft } = parseContactText(text);
  return { input: { ...draft, country }, ...(unplaced ? { unplaced } : {}) };
}

function notChangeable(why: string): number {
  console.error(`contact-bot: ${why}`);
  return EXIT.badInput;
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
