import { parseArgs } from 'node:util';
import type { CountryCode } from 'libphonenumber-js/max';
import { parseRequestId } from './audit/changeable.js';
import { mainCountry } from './contact/phone.js';
import { COUNTRIES, countryByCode, searchCountries } from './slack/countries.js';

/** What the command line asks for. */
export type CliRequest =
  | { command: 'help' }
  | { command: 'add'; text: string; country?: CountryCode }
  | { command: 'edit'; requestId: number; text: string; country?: CountryCode }
  | { command: 'delete'; requestId: number }
  | { command: 'history'; limit: number };

/** A command line that cannot be run; the message names the argument or option at fault. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export const MAX_LIMIT = 1000;

export const USAGE = `usage:
  npm run cli -- add "Mr Arjun Mehta +91 98765 43210" [--country IN]
  npm run cli -- edit 12 "Mr Arjun Mehta +91 98765 43211" [--country IN]
  npm run cli -- delete 12
  npm run cli -- history [--limit 20]
  npm run cli -- --help

  add      creates a contact from its text: salutation, first and last name, number, extension.
           --country: the country of a number typed without its +code, as an ISO code (GB),
           a calling code (+44) or a name (United Kingdom); default DEFAULT_COUNTRY.
  edit     changes the contact request 12 created (or last changed) to the text, the whole contact as it
           should be, checked as add checks it; --country as for add.
  delete   deletes the contact request 12 created (or last changed).
  history  the most recent requests, newest first, with what each asked (create, update, delete) and the
           contact it made or changes; --limit: how many, 1 to ${MAX_LIMIT} (default 20).

exit codes: 0 created, updated or deleted; 1 refused by the endpoint (duplicate, rejected, misconfigured);
  2 arguments or settings it cannot use (for edit and delete also: no such request, a contact deleted
  already, an edit that changes nothing); 70 could not run (e.g. the database is unreachable);
  75 queued: the endpoint is unreachable or its per-minute limit is reached (it says which).`;

const OPTIONS = {
  country: { type: 'string' },
  limit: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

/** Reads `argv` (without node and the script) into a request, or throws a `UsageError` saying what is wrong. */
export function readArguments(argv: string[]): CliRequest {
  const { positionals, values } = parse(argv);
  if (values.help) return { command: 'help' };
  const [command, ...rest] = positionals;
  if (command !== 'history' && values.limit !== undefined) throw new UsageError(`--limit is for history, not ${command ?? 'this'}`);
  if ((command === 'history' || command === 'delete') && values.country !== undefined) {
    throw new UsageError(`--country is for add and edit, not ${command}`);
  }
  const country = values.country === undefined ? {} : { country: readCountry(values.country) };
  switch (command) {
    case 'add': {
      const text = rest.join(' ').trim();
      if (text === '') throw new UsageError('add needs the contact, e.g. add "Mr Arjun Mehta +91 98765 43210"');
      return { command, text, ...country };
    }
    case 'edit': {
      const [id, ...words] = rest;
      const text = words.join(' ').trim();
      if (text === '') throw new UsageError('edit needs a request id and the contact, e.g. edit 12 "Mr Arjun Mehta +91 98765 43211"');
      return { command, requestId: readRequestId(command, id), text, ...country };
    }
    case 'delete': {
      const [id, ...extra] = rest;
      if (extra.length > 0)
        throw new UsageError(`delete takes one request id, but was also given ${extra.map((r) => JSON.stringify(r)).join(' ')}`);
      return { command, requestId: readRequestId(command, id) };
    }
    case 'history':
      if (rest.length > 0)
        throw new UsageError(`history takes no arguments, but was given ${rest.map((r) => JSON.stringify(r)).join(' ')}`);
      return { command, limit: values.limit === undefined ? 20 : readLimit(values.limit) };
  }
  throw new UsageError(
    command === undefined
      ? 'say what to do: add, edit, delete or history'
      : `unknown command ${JSON.stringify(command)}: use add, edit, delete or history`,
  );
}

/** The request id an edit or a delete acts on: the number `history` shows after `#`. */
function readRequestId(command: string, value: string | undefined): number {
  const id = parseRequestId(value?.replace(/^#/, ''));
  if (id === undefined) {
    throw new UsageError(`${command} needs a request id (a number, as history shows it), not ${JSON.stringify(value ?? '')}`);
  }
  return id;
}

function parse(argv: string[]) {
  try {
    return parseArgs({ args: argv, allowPositionals: true, strict: true, options: OPTIONS });
  } catch (error) {
    const code = (error as { code?: unknown }).code;
    if (typeof code !== 'string' || !code.startsWith('ERR_PARSE_ARGS')) throw error;
    // Node's own sentence, without its advice on `--` (which is about positionals that start with `-`).
    throw new UsageError((error as Error).message.split('. ')[0]!);
  }
}

function readLimit(value: string): number {
  const limit = /^\d{1,4}$/.test(value.trim()) ? Number(value) : NaN;
  if (!(limit >= 1 && limit <= MAX_LIMIT)) {
    throw new UsageError(`--limit must be a whole number from 1 to ${MAX_LIMIT}, not ${JSON.stringify(value)}`);
  }
  return limit;
}

const BY_NAME = new Map(COUNTRIES.map((c) => [c.name.toLowerCase(), c.code]));

/** An ISO code (`gb`), a calling code (`+44`) or a country's English name (`United Kingdom`). */
function readCountry(value: string): CountryCode {
  const typed = value.trim();
  // A non-geographic calling code (+800) has no country to read a number in, so it must be a known one too.
  const code = /^\+?\d{1,3}$/.test(typed) ? mainCountry(typed.replace('+', '')) : typed;
  const found = countryByCode(code)?.code ?? BY_NAME.get(typed.toLowerCase());
  if (found) return found;
  const near = typed.length >= 2 ? searchCountries(typed, 3) : [];
  const guess = near.length > 0 ? ` (did you mean ${near.map((c) => `${c.code} for ${c.name}`).join(', ')}?)` : '';
  throw new UsageError(
    `--country ${JSON.stringify(value)} is not a country I know: use an ISO code such as GB or IN, or a calling code such as +44${guess}`,
  );
}
