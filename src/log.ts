import type { Logger, LogLevel } from '@slack/bolt';
import { maskPhoneNumbers } from './log-phones.js';

/**
 * What the app's own modules log through: a level, then optional fields and a message. Bolt's `Logger` is one, so the
 * logger made here serves Bolt and the app alike, and nothing outside `slack/` needs Bolt's type.
 */
export interface Log {
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

const ORDER = { debug: 0, info: 1, warn: 2, error: 3 } as const;
type Level = keyof typeof ORDER;

// Every pattern here is linear: a run of token characters is taken whole, and what follows it is checked once.
// (`eyJ[\w-]+\.` re-tried the same run from each `eyJ` inside it: quadratic on `eyJ-eyJ-…`.)
const TOKENS: [RegExp, string][] = [
  [/\bxox[abposr]-[\w-]+/g, 'xox?-[redacted]'],
  [/\bxapp-[\w-]+/g, 'xapp-[redacted]'],
  // A workflow step's execution token.
  [/\bxwfp-[\w-]+/g, 'xwfp-[redacted]'],
];
/** A JWT's header run, then (when it is one) its payload and signature; a lone run is taken and given back as it was. */
const JWT = /\beyJ[\w-]+(\.[\w-]+\.[\w-]*)?/g;

/** Hides tokens, JWTs and all but the ends of phone numbers in anything about to be logged. */
export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TOKENS) out = out.replace(pattern, replacement);
  out = out.replace(JWT, (run, rest: string | undefined) => (rest === undefined ? run : '[jwt redacted]'));
  return maskPhoneNumbers(out);
}

/** The most of any one string a log line carries: request text (a path, a payload) can be any size. */
const STRING_LIMIT = 2_000;
/** A line that is still longer (many long fields) is written as its message alone. */
const LINE_LIMIT = 16_000;

/** Cut first, then redacted: redaction costs what the kept text costs, not what the sender sent. */
function bounded(text: string): string {
  if (text.length <= STRING_LIMIT) return redact(text);
  const kept = withoutCutSecret(text, STRING_LIMIT);
  return `${redact(kept)}…[${text.length - kept.length} more characters]`;
}

/** The characters of a phone number as written. */
const PHONE_CHARACTER = /[\p{Nd}\s().+\uff0b\-\u2010-\u2015\u2212]/u;
/** Longer than any phone number as `redact` reads it (15 digits, separators of up to 3 between). */
const LONGEST_PHONE = 64;

/**
 * `text` cut to at most `limit` characters, less a phone number the cut runs through: cut before its last digits it
 * would be masked as a shorter number, showing four of its middle digits. (A token cut short is still redacted; a JWT
 * cut before its signature is logged as far as the cut, and without a signature it is no credential.)
 */
function withoutCutSecret(text: string, limit: number): string {
  let end = limit;
  if (PHONE_CHARACTER.test(text[limit]!) && PHONE_CHARACTER.test(text[limit - 1]!)) {
    const floor = limit - LONGEST_PHONE;
    while (end > floor && PHONE_CHARACTER.test(text[end - 1]!)) end -= 1;
  }
  return text.slice(0, end);
}

function serialise(value: unknown): unknown {
  if (value instanceof Error) {
    return { name: value.name, message: value.message, code: (value as { code?: unknown }).code, stack: value.stack };
  }
  return value;
}

/** Where each logger writes, so the loggers made from it for Slack's libraries write there too. */
const destinations = new WeakMap<Logger, (line: string) => void>();

/** A JSON-lines logger that Bolt can use too; every line passes through `redact`. */
export function createLogger(
  level: Level = 'info',
  name = 'contact-bot',
  write: (line: string) => void = (line) => process.stdout.write(line),
): Logger {
  let threshold: Level = level;
  let logName = name;
  const emit = (at: Level, args: unknown[]) => {
    if (ORDER[at] < ORDER[threshold]) return;
    const [first, ...rest] = args;
    const fields = typeof first === 'object' && first !== null && !(first instanceof Error) ? first : undefined;
    const words = (fields ? rest : args).map((a) => (typeof a === 'string' ? a : JSON.stringify(serialise(a))));
    const record = { t: new Date().toISOString(), level: at, name: logName, msg: words.join(' ') };
    const line = JSON.stringify({ ...record, ...fields }, (_k, v) => (typeof v === 'string' ? bounded(v) : serialise(v)));
    // Keys are ours, but whole objects can be logged: the line is redacted once more as a whole.
    write(
      `${line.length <= LINE_LIMIT ? redact(line) : JSON.stringify({ ...record, msg: bounded(record.msg), truncated: line.length })}\n`,
    );
  };
  const logger: Logger = {
    debug: (...a) => emit('debug', a),
    info: (...a) => emit('info', a),
    warn: (...a) => emit('warn', a),
    error: (...a) => emit('error', a),
    setLevel: (l: LogLevel) => {
      threshold = l as Level;
    },
    getLevel: () => threshold as LogLevel,
    setName: (n: string) => {
      logName = n;
    },
  };
  destinations.set(logger, write);
  return logger;
}

/** Lines of the Web API client that name no method: each failure is logged with its method instead (slack/web-api.ts). */
const UNNAMED_WEB_API_FAILURE = /^(?:http request failed|API Call failed due to rate limiting)/;

/** A logger for Slack's libraries: never below `info`, since their debug lines carry whole message bodies. */
export function libraryLogger(log: Logger): Logger {
  const level = log.getLevel() === 'debug' ? 'info' : (log.getLevel() as Level);
  const library = createLogger(level, 'slack', destinations.get(log));
  const named =
    (emit: Logger['warn']) =>
    (...args: unknown[]) => {
      if (!(typeof args[0] === 'string' && UNNAMED_WEB_API_FAILURE.test(args[0]))) emit(...args);
    };
  return { ...library, info: named(library.info), warn: named(library.warn) };
}
