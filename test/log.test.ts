import { LogLevel } from '@slack/bolt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import metadata from 'libphonenumber-js/max/metadata';
import { createLogger, libraryLogger, redact } from '../src/log.js';

const JWT = 'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhcHBJZCI6ImNzLTEyMyIsInN1YiI6ImNzLTEyMyJ9.Qm1Yb2d1c19zaWduYXR1cmVfMDEyMzQ1Njc4OQ';

function capture(level: 'debug' | 'info' | 'warn' | 'error' = 'debug') {
  const lines: string[] = [];
  const log = createLogger(level, 'test-logger', (line) => void lines.push(line));
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('redact', () => {
  it.each([
    ['+919876543210', '+91******3210'],
    ['+447400123456', '+44******3456'],
    ['+12125550123', '+1******0123'],
    ['call +919876543210 or +447400123456 now', 'call +91******3210 or +44******3456 now'],
    ['{"phone":"+919876543210"}', '{"phone":"+91******3210"}'],
    ['Dr Priya · *+91 98765 43210*', 'Dr Priya · *+91******3210*'],
    ['+1 (212) 555-0123 ext. 4', '+1******0123 ext. 4'],
    ['+91 98765 - 43210', '+91******3210'],
    ['\uff0b\uff19\uff11 \uff19\uff18\uff17\uff16\uff15 \uff14\uff13\uff12\uff11\uff10', '+91******3210'],
    ['+٩١ ٩٨٧٦٥ ٤٣٢١٠', '+91******3210'],
    ['call 098765 43210 today', 'call *******3210 today'],
    ['Mobile: (212) 555-0123', 'Mobile: ******0123'],
    ['{"phone":"020 7946 0958"}', '{"phone":"*******0958"}'],
  ])('masks the phone numbers in %j', (text, masked) => {
    expect(redact(text)).toBe(masked);
  });

  it.each([
    ['a bot token', 'token xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp', 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp'],
    ['a user token', 'token=xoxp-1234-5678-abcdef', 'xoxp-1234-5678-abcdef'],
    ['an app token', 'SLACK_APP_TOKEN=xapp-1-A01ABCDEF-1234567890-abcdef0123456789', 'xapp-1-A01ABCDEF-1234567890-abcdef0123456789'],
    ["a workflow step's execution token", '"bot_access_token":"xwfp-1234567890-0987654321-abcdef"', 'xwfp-1234567890-0987654321-abcdef'],
    ['a JWT', `auth: ${JWT}`, JWT],
  ])('removes %s', (_what, text, secret) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).not.toMatch(/AbCdEf|abcdef|Qm1Yb2d1c19zaWduYXR1cmVf/);
  });

  // Quadratic redaction of these sizes would run for minutes; linear redaction finishes well inside the test timeout.
  it('stays correct on a megabyte of almost-JWTs, almost-tokens and almost-numbers', () => {
    const almost = `${'eyJ-'.repeat(100_000)} ${'eyJa.'.repeat(50_000)} ${'+1 '.repeat(100_000)}${' xoxb-'.repeat(50_000)}`;
    const text = `${almost} auth: ${JWT} then +919876543210`;
    const out = redact(text);
    expect(out.startsWith('eyJ-'.repeat(100_000))).toBe(true);
    expect(out).not.toContain(JWT.slice(40));
    expect(out).toContain('[jwt redacted] then +91******3210');
  });

  it('masks what it masked before on adversarial mixtures of secrets and near-secrets', () => {
    const piece = fc.constantFrom(
      'eyJ',
      'eyJ-',
      'eyJa',
      '.',
      '-',
      '_',
      ' ',
      '+',
      '+9',
      '1',
      '0',
      '98765',
      '(',
      ')',
      ' - ',
      '٣',
      '\uff10',
      '\uff0b',
      'xoxb-',
      'xox',
      'xapp-',
      'a',
      '=',
      'eyJhbGciOiJIUzI1NiJ9',
    );
    const secret = fc.constantFrom(
      JWT,
      'xoxb-1234-5678-abcdef',
      'xapp-1-A01-2-abc',
      '+919876543210',
      '+1 (212) 555-0123',
      '+44 7400 123456',
      '098765 43210',
      '(212) 555-0123',
      '+٩١ ٩٨٧٦٥ ٤٣٢١٠',
    );
    fc.assert(
      fc.property(
        fc.array(piece, { maxLength: 60 }),
        fc.array(fc.oneof(piece, secret), { maxLength: 30 }),
        fc.array(secret, { minLength: 1, maxLength: 3 }),
        (near, glued, secrets) => {
          const text = [...near, ...secrets.flatMap((s) => [' ', s, ' ']), ...near].join('');
          const out = redact(text);
          expect(out).toBe(referenceRedact(text));
          for (const s of secrets) expect(out).not.toContain(s);
          const mixed = [...near, ...glued].join('');
          expect(redact(mixed)).toBe(referenceRedact(mixed));
        },
      ),
      { numRuns: 2_000 },
    );
  });

  it('keeps text without secrets as it is', () => {
    const text = 'request 42 settled after 3 attempts in 120 ms (status 503) at 2026-11-25T13:22:37.776+00:00';
    expect(redact(text)).toBe(text);
  });

  // Numbers that look as much like ids, dates and amounts as like phones are left alone (see src/log-phones.ts).
  it.each(['ts 1700000000.000100', 'took 0.123456789 s', 'id 9876543210', 'on 2026-11-25 at 13:22', 'build v20261125'])(
    'keeps %j as it is',
    (text) => {
      expect(redact(text)).toBe(text);
    },
  );

  it('masks a phone number in any notation people write, wherever it is in the text', () => {
    const written = fc.record({
      notation: fc.constantFrom(...NOTATIONS),
      script: fc.constantFrom(...SCRIPTS),
      national: fc.stringMatching(/^[1-9]\d{8,9}$/),
    });
    const around = fc.string({ unit: fc.constantFrom('a', 'Z', 'é', ' ', ':', '*', '"', '<', '|', '\n', ',', 'ext'), maxLength: 12 });
    fc.assert(
      fc.property(written, around, around, ({ notation, script, national }, before, after) => {
        const [text, masked] = notation(national);
        const phone = inScript(text, script);
        const out = redact(`${before} ${phone} ${after}`);
        expect(out).toBe(`${before} ${masked} ${after}`);
      }),
      { numRuns: 1_000 },
    );
  });
});

/** How people write a number (national part given): the text, and how it is masked. */
const NOTATIONS: ((national: string) => [string, string])[] = [
  (n) => [`+91${n}`, `+91${hidden(n)}`],
  (n) => [`+91 ${n.slice(0, 5)} ${n.slice(5)}`, `+91${hidden(n)}`],
  (n) => [`+91 ${n.slice(0, 5)} - ${n.slice(5)}`, `+91${hidden(n)}`],
  (n) => [`+44 (0)${n.slice(0, 4)} ${n.slice(4)}`, `+44${hidden(`0${n}`)}`],
  (n) => [`+1 (${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`, `+1${hidden(n)}`],
  (n) => [`+971-${n.slice(0, 2)}-${n.slice(2)}`, `+971${hidden(n)}`],
  (n) => [`+33 ${n.match(/.{1,2}/g)!.join('.')}`, `+33${hidden(n)}`],
  (n) => [`0${n.slice(0, 5)} ${n.slice(5)}`, hidden(`0${n}`)],
  (n) => [`0${n.slice(0, 2)}-${n.slice(2, 6)}-${n.slice(6)}`, hidden(`0${n}`)],
  (n) => [`(${n.slice(0, 3)}) ${n.slice(3, 6)}-${n.slice(6)}`, hidden(n)],
];
/** Zero of each script people type digits in: ASCII, Arabic-Indic, Eastern Arabic-Indic, Devanagari, full-width. */
const SCRIPTS = [0x30, 0x660, 0x6f0, 0x966, 0xff10];
const hidden = (digits: string) => '*'.repeat(digits.length - 4) + digits.slice(-4);
const inScript = (text: string, zero: number) =>
  text.replace(/[0-9+]/g, (c) => (c === '+' ? (zero === 0xff10 ? '\uff0b' : '+') : String.fromCharCode(zero + Number(c))));

/**
 * The rules of src/log.ts and src/log-phones.ts as plain patterns (correct, but quadratic on long runs): the oracle
 * for small inputs.
 */
function referenceRedact(text: string): string {
  const value = (d: string) => String(d.codePointAt(0)! - (SCRIPTS.findLast((zero) => d.codePointAt(0)! >= zero) ?? 0x30));
  const digitsOf = (written: string) =>
    [...written]
      .filter((c) => /\p{Nd}/u.test(c))
      .map(value)
      .join('');
  const codes = new Set(Object.keys(metadata.country_calling_codes));
  const D = '\\p{Nd}';
  const nsep = '[\\s()\\-\\u2010-\\u2015\\u2212]{0,3}';
  const international = `[+\\uff0b]${D}(?:[\\s().\\-\\u2010-\\u2015\\u2212]{0,3}${D})*`;
  const national = `(?<![\\p{L}\\p{N}\\p{M}_+.,\\uff0b])(?:\\(${D}{1,5}\\)${nsep}${D}|[0\\u0660\\u06f0\\u0966\\uff10])(?:${nsep}${D})*`;
  return text
    .replace(/\bxox[abposr]-[\w-]+/g, 'xox?-[redacted]')
    .replace(/\bxapp-[\w-]+/g, 'xapp-[redacted]')
    .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[jwt redacted]')
    .replace(new RegExp(`${international}|${national}`, 'gu'), (written) => {
      const digits = digitsOf(written);
      if (/^[+\uff0b]/.test(written)) {
        if (digits.length < 7) return written;
        const code = [1, 2, 3].map((n) => digits.slice(0, n)).find((p) => codes.has(p)) ?? '';
        return `+${code}${hidden(digits.slice(code.length))}`;
      }
      return digits.length < 9 ? written : hidden(digits);
    });
}

describe('createLogger', () => {
  it('bounds every string it logs, however long the request text in it', () => {
    const { log, lines, records } = capture('info');
    const path = `/${'eyJ-'.repeat(4_000)}`;
    log.info(`Unhandled HTTP request (GET) made to ${path}`);
    log.warn({ url: path, nested: { why: new Error(`bad path ${path}`) } }, 'malformed request');
    for (const line of lines) expect(line.length).toBeLessThan(8_000);
    const [first, second] = records();
    expect(first!.msg).toMatch(/^Unhandled HTTP request \(GET\) made to \/eyJ-eyJ-.*…\[\d+ more characters\]$/);
    expect(second!.url).toMatch(/…\[\d+ more characters\]$/);
    expect(JSON.stringify(second!.nested)).toContain('bad path /eyJ-');
  });

  // Redacting before cutting cost ~0.5–0.9 s for each such field (libphonenumber on 32,768 numbers): these 20 lines
  // took 10–18 s, over this test's timeout. Cut first, they cost what 2,000 characters cost.
  it('cuts a 256 KiB field before redacting it: masked, bounded, and cheap enough for twenty in a row', { timeout: 5_000 }, () => {
    const { log, lines, records } = capture('info');
    const field = '+1234567'.repeat(32 * 1024);
    for (let i = 0; i < 20; i += 1) log.warn({ field, path: `/${'098765 43210, '.repeat(20_000)}` }, 'flood');
    expect(lines).toHaveLength(20);
    for (const line of lines) expect(line.length).toBeLessThan(6_000);
    const [record] = records();
    expect(record!.field).toMatch(/^(\+1\*\*4567)+…\[\d+ more characters\]$/);
    expect(String(record!.field).length).toBeLessThan(2_100);
    expect(record!.path).toMatch(/^\/(\*{7}3210, )+[^…]*…\[\d+ more characters\]$/);
    expect(lines.join('')).not.toMatch(/98765|1234567/);
  });

  it('writes one JSON line per call with time, level, name, message and fields', () => {
    const { log, lines, records } = capture();
    log.info({ request: 7, status: 'created' }, 'request', 'settled');
    expect(lines).toHaveLength(1);
    expect(lines[0]!.endsWith('\n')).toBe(true);
    expect(lines[0]!.trimEnd()).not.toContain('\n');
    const [record] = records();
    expect(record).toMatchObject({ level: 'info', name: 'test-logger', msg: 'request settled', request: 7, status: 'created' });
    expect(Number.isNaN(Date.parse(String(record!.t)))).toBe(false);
  });

  it('redacts messages and fields', () => {
    const { log, lines } = capture();
    log.warn({ phone: '+919876543210', token: 'xoxb-111-222-secretvalue' }, `sending ${JWT} for +447400123456`);
    const text = lines.join('');
    expect(text).toContain('+91******3210');
    expect(text).toContain('+44******3456');
    for (const secret of ['+919876543210', '+447400123456', 'xoxb-111-222-secretvalue', JWT]) expect(text).not.toContain(secret);
  });

  it('writes an Error passed as a field with its name, message, code and stack, redacted', () => {
    const { log, lines, records } = capture();
    const error = Object.assign(new Error('endpoint refused +919876543210 with xoxb-999-888-topsecret'), { code: 'E_REFUSED' });
    log.error({ err: error, request: 3 }, 'delivery failed');
    const [record] = records();
    const err = record!.err as Record<string, unknown>;
    expect(err).toMatchObject({ name: 'Error', message: 'endpoint refused +91******3210 with xox?-[redacted]', code: 'E_REFUSED' });
    expect(err.stack).toEqual(expect.stringContaining('endpoint refused +91******3210'));
    expect(lines.join('')).not.toContain('+919876543210');
    expect(lines.join('')).not.toContain('topsecret');
  });

  it('writes an Error passed alone, redacted', () => {
    const { log, lines } = capture();
    log.error(new TypeError(`bad token ${JWT}`));
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain('TypeError');
    expect(lines[0]).toContain('bad token');
    expect(lines[0]).not.toContain(JWT);
  });

  it('writes an Error nested deeper in the fields', () => {
    const { log, records } = capture();
    log.warn({ attempt: { n: 2, why: new RangeError('timeout for +447400123456') } }, 'retrying');
    expect(records()[0]!.attempt).toEqual({
      n: 2,
      why: expect.objectContaining({ name: 'RangeError', message: 'timeout for +44******3456' }),
    });
  });

  it('writes nothing below its level, and follows setLevel', () => {
    const { log, records } = capture('warn');
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    expect(records().map((r) => r.msg)).toEqual(['w', 'e']);
    log.setLevel(LogLevel.DEBUG);
    log.debug('d2');
    expect(records().map((r) => r.msg)).toEqual(['w', 'e', 'd2']);
    expect(log.getLevel()).toBe('debug');
  });

  it('takes a new name', () => {
    const { log, records } = capture();
    log.setName('bolt');
    log.info('hello');
    expect(records()[0]!.name).toBe('bolt');
  });
});

describe('libraryLogger', () => {
  it("writes where the app's logger writes, named slack and never below info", () => {
    const { log, records } = capture('debug');
    const slack = libraryLogger(log);
    slack.debug('a whole message body');
    slack.error('An incoming event was not acknowledged within 3 seconds.');
    expect(records()).toEqual([
      expect.objectContaining({ level: 'error', name: 'slack', msg: 'An incoming event was not acknowledged within 3 seconds.' }),
    ]);
  });
});
