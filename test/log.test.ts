import { LogLevel } from '@slack/bolt';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { maskPhone } from '../src/contact/phone.js';
import { createLogger, libraryLogger, redact } from '../src/log.js';

const JWT =
  'eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJhcHBJZCI6ImNzLTEyMyIsInN1YiI6ImNzLTEyMyJ9.Qm1Yb2d1c19zaWduYXR1cmVfMDEyMzQ1Njc4OQ';

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
  ])('masks the phone numbers in %j', (text, masked) => {
    expect(redact(text)).toBe(masked);
  });

  it.each([
    ['a bot token', 'token xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp', 'xoxb-1234567890-0987654321-AbCdEfGhIjKlMnOp'],
    ['a user token', 'token=xoxp-1234-5678-abcdef', 'xoxp-1234-5678-abcdef'],
    ['an app token', 'SLACK_APP_TOKEN=xapp-1-A01ABCDEF-1234567890-abcdef0123456789', 'xapp-1-A01ABCDEF-1234567890-abcdef0123456789'],
    ['a JWT', `auth: ${JWT}`, JWT],
  ])('removes %s', (_what, text, secret) => {
    const out = redact(text);
    expect(out).not.toContain(secret);
    expect(out).not.toMatch(/AbCdEf|abcdef|Qm1Yb2d1c19zaWduYXR1cmVf/);
  });

  // Quadratic redaction of these sizes would run for minutes; linear redaction finishes well inside the test timeout.
  it('stays correct on a megabyte of almost-JWTs, almost-tokens and almost-numbers', () => {
    const almost = 'eyJ-'.repeat(100_000) + ' ' + 'eyJa.'.repeat(50_000) + ' ' + '+1 '.repeat(100_000) + ' xoxb-'.repeat(50_000);
    const text = `${almost} auth: ${JWT} then +919876543210`;
    const out = redact(text);
    expect(out.startsWith('eyJ-'.repeat(100_000))).toBe(true);
    expect(out).not.toContain(JWT.slice(40));
    expect(out).toContain('[jwt redacted] then +91******3210');
  });

  it('masks what it masked before on adversarial mixtures of secrets and near-secrets', () => {
    const piece = fc.constantFrom('eyJ', 'eyJ-', 'eyJa', '.', '-', '_', ' ', '+', '+9', '1', '98765', '(', ')', 'xoxb-', 'xox', 'xapp-', 'a', '=', 'eyJhbGciOiJIUzI1NiJ9');
    const secret = fc.constantFrom(JWT, 'xoxb-1234-5678-abcdef', 'xapp-1-A01-2-abc', '+919876543210', '+1 (212) 555-0123', '+44 7400 123456');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 60 }), fc.array(fc.oneof(piece, secret), { maxLength: 30 }), fc.array(secret, { minLength: 1, maxLength: 3 }), (near, glued, secrets) => {
        const text = [...near, ...secrets.flatMap((s) => [' ', s, ' ']), ...near].join('');
        const out = redact(text);
        expect(out).toBe(referenceRedact(text));
        for (const s of secrets) expect(out).not.toContain(s);
        const mixed = [...near, ...glued].join('');
        expect(redact(mixed)).toBe(referenceRedact(mixed));
      }),
      { numRuns: 2_000 },
    );
  });

  it('keeps text without secrets as it is', () => {
    const text = 'request 42 settled after 3 attempts in 120 ms (status 503) at 2026-11-25T13:22:37.776+00:00';
    expect(redact(text)).toBe(text);
  });
});

/** The patterns as they were (correct, but quadratic on long runs): the oracle for small inputs. */
function referenceRedact(text: string): string {
  return text
    .replace(/\bxox[abposr]-[\w-]+/g, 'xox?-[redacted]')
    .replace(/\bxapp-[\w-]+/g, 'xapp-[redacted]')
    .replace(/\beyJ[\w-]+\.[\w-]+\.[\w-]*/g, '[jwt redacted]')
    .replace(/\+\d(?:[\s().-]{0,2}\d){6,14}/g, (written) => maskPhone(`+${written.replace(/\D/g, '')}`));
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
    expect(records()[0]!.attempt).toEqual({ n: 2, why: expect.objectContaining({ name: 'RangeError', message: 'timeout for +44******3456' }) });
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
    expect(records()).toEqual([expect.objectContaining({ level: 'error', name: 'slack', msg: 'An incoming event was not acknowledged within 3 seconds.' })]);
  });
});
