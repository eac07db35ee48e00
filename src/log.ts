import type { Logger, LogLevel } from '@slack/bolt';
import { maskPhone } from './contact/phone.js';

const ORDER = { debug: 0, info: 1, warn: 2, error: 3 } as const;
type Level = keyof typeof ORDER;

const SECRETS: [RegExp, string][] = [
  [/\bxox[abposr]-[\w-]+/g, 'xox?-[redacted]'],
  [/\bxapp-[\w-]+/g, 'xapp-[redacted]'],
  [/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[jwt redacted]'],
];
/** `+919876543210`, and the same written for people: `+91 98765 43210`, `+1 (212) 555-0123`. */
const PHONE = /\+\d(?:[\s().-]{0,2}\d){6,14}/g;

/** Hides tokens, JWTs and all but the ends of phone numbers in anything about to be logged. */
export function redact(text: string): string {
  let out = text;
  for (const [pattern, replacement] of SECRETS) out = out.replace(pattern, replacement);
  return out.replace(PHONE, (written) => maskPhone(`+${written.replace(/\D/g, '')}`));
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
    const line = JSON.stringify({ t: new Date().toISOString(), level: at, name: logName, msg: words.join(' '), ...fields }, (_k, v) => serialise(v));
    write(`${redact(line)}\n`);
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

/** A logger for Slack's libraries: never below `info`, since their debug lines carry whole message bodies. */
export function libraryLogger(log: Logger): Logger {
  const level = log.getLevel() === 'debug' ? 'info' : (log.getLevel() as Level);
  return createLogger(level, 'slack', destinations.get(log));
}
