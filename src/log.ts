import type { Logger, LogLevel } from '@slack/bolt';
import { maskPhone } from './contact/phone.js';

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
];
/** A JWT's header run, then (when it is one) its payload and signature; a lone run is taken and given back as it was. */
const JWT = /\beyJ[\w-]+(\.[\w-]+\.[\w-]*)?/g;
/** `+919876543210`, and the same written for people: `+91 98765 43210`, `+1 (212) 555-0123` (at most 45 characters). */
const PHONE = /\+\d(?:[\s().-]{0,2}\d){6,14}/g;

/** Hides tokens, JWTs and all but the ends of phone numbers in anything about to be logged. */
export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of TOKENS) out = out.replace(pattern, replacement);
  return out
    .replace(JWT, (run, rest: string | undefined) => (rest === undefined ? run : '[jwt redacted]'))
    .replace(PHONE, (written) => maskPhone(`+${written.replace(/\D/g, '')}`));
}

/** The most of any one string a log line carries: request text (a path, a payload) can be any size. */
const STRING_LIMIT = 2_000;
/** A line that is still longer (many long fields) is written as its message alone. */
const LINE_LIMIT = 16_000;

function bounded(text: string): string {
  const clean = redact(text);
  return clean.length <= STRING_LIMIT ? clean : `${clean.slice(0, STRING_LIMIT)}…[${clean.length - STRING_LIMIT} more characters]`;
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
    write(`${line.length <= LINE_LIMIT ? redact(line) : JSON.stringify({ ...record, msg: bounded(record.msg), truncated: line.length })}\n`);
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
