import { describe, expect, it } from 'vitest';
import { classifyAnswer, errorMessages, mayHaveArrived, parseRetryAfter, type Outcome, type Unavailable } from '../../src/kore/outcome.js';

const NOW = Date.UTC(2025, 5, 1, 12, 0, 0);

const created = [
  {
    id: 'c-1',
    status: 'ACTIVE',
    firstName: 'John',
    lastName: 'Doe',
    fullName: 'John Doe',
    cellPhone: { phoneNumber: '+919876543210', countryCode: '+91', extension: '+' },
    createdAt: '2025-06-01T12:00:00.000Z',
  },
];

type Row = [answer: string, status: number, body: unknown, retryAfter: string | null, expected: Outcome];

const table: Row[] = [
  [
    '200 with ids',
    200,
    created,
    null,
    {
      kind: 'created',
      status: 200,
      contacts: [{ id: 'c-1', fullName: 'John Doe', phoneNumber: '+919876543210', createdAt: '2025-06-01T12:00:00.000Z' }],
    },
  ],
  [
    '201 with ids inside data, names but no fullName',
    201,
    { data: [{ _id: 'c-2', firstName: 'Asha', lastName: 'Rao', cellPhone: { phoneNumber: '+918123456789' } }] },
    null,
    { kind: 'created', status: 201, contacts: [{ id: 'c-2', fullName: 'Asha Rao', phoneNumber: '+918123456789' }] },
  ],
  ['200 with items but no ids', 200, [{ firstName: 'John' }], null, expect.objectContaining({ kind: 'unavailable', status: 200 })],
  ['200 with an empty array', 200, [], null, expect.objectContaining({ kind: 'unavailable', status: 200 })],
  ['204 with nothing', 204, '', null, expect.objectContaining({ kind: 'unavailable', status: 204 })],
  [
    '409',
    409,
    { errors: [{ msg: 'A contact with phone number +919876543210 already exists', code: 'DUPLICATE' }] },
    null,
    { kind: 'duplicate', status: 409, messages: ['A contact with phone number +919876543210 already exists'] },
  ],
  ['409 without a body', 409, '', null, { kind: 'duplicate', status: 409, messages: ['HTTP 409'] }],
  [
    '400 saying already exists',
    400,
    { errors: [{ msg: 'Contact already exists with this phone number' }] },
    null,
    { kind: 'duplicate', status: 400, messages: ['Contact already exists with this phone number'] },
  ],
  [
    '400 saying already exist',
    400,
    { message: 'Phone number already exist' },
    null,
    { kind: 'duplicate', status: 400, messages: ['Phone number already exist'] },
  ],
  [
    '422 saying Duplicate',
    422,
    { errors: [{ msg: 'Duplicate phone number' }] },
    null,
    { kind: 'duplicate', status: 422, messages: ['Duplicate phone number'] },
  ],
  [
    '400 without duplicate text',
    400,
    { errors: [{ msg: 'cellPhone.phoneNumber is invalid' }, { msg: 'lastName is required' }] },
    null,
    { kind: 'rejected', status: 400, messages: ['cellPhone.phoneNumber is invalid', 'lastName is required'] },
  ],
  [
    '422 without duplicate text',
    422,
    { errors: [{ msg: 'salutation is not allowed' }] },
    null,
    { kind: 'rejected', status: 422, messages: ['salutation is not allowed'] },
  ],
  ['401', 401, { errors: [{ msg: 'Invalid JWT' }] }, null, { kind: 'unauthorized', status: 401, messages: ['Invalid JWT'] }],
  ['403', 403, { errors: [{ msg: 'Forbidden' }] }, null, { kind: 'unauthorized', status: 403, messages: ['Forbidden'] }],
  [
    '403 saying duplicate is still unauthorized',
    403,
    { errors: [{ msg: 'duplicate token' }] },
    null,
    { kind: 'unauthorized', status: 403, messages: ['duplicate token'] },
  ],
  ['404', 404, { errors: [{ msg: 'Bot not found' }] }, null, { kind: 'rejected', status: 404, messages: ['Bot not found'] }],
  [
    '404 saying already exists is not a duplicate',
    404,
    { errors: [{ msg: 'route already exists elsewhere' }] },
    null,
    { kind: 'rejected', status: 404, messages: ['route already exists elsewhere'] },
  ],
  ['413', 413, 'Payload Too Large', null, { kind: 'rejected', status: 413, messages: ['Payload Too Large'] }],
  ['408', 408, '', null, { kind: 'unavailable', status: 408, messages: ['HTTP 408'] }],
  [
    '429 without Retry-After waits the whole minute',
    429,
    { errors: [{ msg: 'Too many requests' }] },
    null,
    { kind: 'unavailable', status: 429, messages: ['Too many requests'], retryAfterMs: 60_000, rateLimited: true },
  ],
  [
    '429 with Retry-After seconds',
    429,
    '',
    '120',
    { kind: 'unavailable', status: 429, messages: ['HTTP 429'], retryAfterMs: 120_000, rateLimited: true },
  ],
  [
    '429 with Retry-After as an HTTP date',
    429,
    '',
    new Date(NOW + 30_000).toUTCString(),
    { kind: 'unavailable', status: 429, messages: ['HTTP 429'], retryAfterMs: 30_000, rateLimited: true },
  ],
  ['500', 500, { errors: [{ msg: 'Internal error' }] }, null, { kind: 'unavailable', status: 500, messages: ['Internal error'] }],
  [
    '502 with an HTML page',
    502,
    '<html><body>Bad Gateway</body></html>',
    null,
    { kind: 'unavailable', status: 502, messages: ['<html><body>Bad Gateway</body></html>'] },
  ],
  ['503 with Retry-After', 503, '', '5', { kind: 'unavailable', status: 503, messages: ['HTTP 503'], retryAfterMs: 5_000 }],
  ['504', 504, null, null, { kind: 'unavailable', status: 504, messages: ['HTTP 504'] }],
];

describe('classifyAnswer', () => {
  it.each(table)('%s', (_answer, status, body, retryAfter, expected) => {
    expect(classifyAnswer('create', status, body, retryAfter, NOW)).toEqual(expected);
  });

  it('says why a success without a contact id is not taken as created', () => {
    const outcome = classifyAnswer('create', 200, { ok: true }, null, NOW);
    expect(outcome).toEqual({ kind: 'unavailable', status: 200, messages: ['The endpoint answered success without a contact id.'] });
  });

  it('keeps every created contact of a batch, in order', () => {
    const outcome = classifyAnswer(
      'create',
      200,
      [
        { id: 'c-a', fullName: 'A A' },
        { id: 'c-b', fullName: 'B B' },
      ],
      null,
      NOW,
    );
    expect(outcome.kind === 'created' && outcome.contacts.map((c) => c.id)).toEqual(['c-a', 'c-b']);
  });

  // A PUT or DELETE answers the one contact it changed: read as an array, it would be "success without an id" and be
  // retried until the deadline.
  it('reads the one contact an update or a delete answers', () => {
    const one = { id: 'c-7', status: 'INACTIVE', fullName: 'Priya Natarajan', cellPhone: { phoneNumber: '+919876543210' } };
    const contact = { id: 'c-7', fullName: 'Priya Natarajan', phoneNumber: '+919876543210' };
    expect(classifyAnswer('update', 200, one, null, NOW)).toEqual({ kind: 'updated', status: 200, contact });
    expect(classifyAnswer('delete', 200, one, null, NOW)).toEqual({ kind: 'deleted', status: 200, contact });
    expect(classifyAnswer('update', 200, { data: one }, null, NOW)).toEqual({ kind: 'updated', status: 200, contact });
    expect(classifyAnswer('update', 200, [one], null, NOW)).toMatchObject({ kind: 'unavailable', status: 200 });
    expect(classifyAnswer('create', 200, one, null, NOW)).toMatchObject({ kind: 'unavailable', status: 200 });
  });

  it('sorts a change refused the same way as a create: 404 rejected, 409 duplicate', () => {
    expect(classifyAnswer('delete', 404, { errors: [{ msg: 'Contact not found' }] }, null, NOW)).toEqual({
      kind: 'rejected',
      status: 404,
      messages: ['Contact not found'],
    });
    expect(classifyAnswer('update', 409, { errors: [{ msg: 'already exists' }] }, null, NOW)).toEqual({
      kind: 'duplicate',
      status: 409,
      messages: ['already exists'],
    });
  });

  it('never throws, whatever the answer', () => {
    for (const status of [100, 200, 299, 300, 302, 400, 401, 404, 409, 429, 499, 500, 599]) {
      for (const body of [undefined, null, 0, 'text', [], {}, [null], { errors: 'x' }, { errors: [null, 1] }]) {
        for (const operation of ['create', 'update', 'delete'] as const) {
          expect(() => classifyAnswer(operation, status, body, 'garbage', NOW)).not.toThrow();
        }
      }
    }
  });
});

/** The vendor's two rate-limit texts (SPEC §2), whose HTTP status is undocumented. */
const RATE_LIMIT_TEXTS = [
  "You've exceeded the per-minute rate limit. Please wait for sometime before retrying.",
  'Rate limit for this API has been reached',
];

describe('a rate-limit answer', () => {
  const bodies = (text: string): [string, unknown][] => [
    ['errors[].msg', { errors: [{ msg: text, code: 'RATE_LIMIT' }] }],
    ['a plain-text body', text],
  ];
  const cases = RATE_LIMIT_TEXTS.flatMap((text) =>
    [400, 403, 429, 409, 422].flatMap((status) => bodies(text).map(([how, body]) => [text, status, how, body] as const)),
  );

  it.each(cases)('%j with %i in %s is unavailable, waits the whole minute, and was not tried', (text, status, _how, body) => {
    const outcome = classifyAnswer('create', status, body, null, NOW);
    expect(outcome).toEqual({ kind: 'unavailable', status, messages: [text], retryAfterMs: 60_000, rateLimited: true });
    expect(mayHaveArrived(outcome as Unavailable)).toBe(false);
  });

  it.each(RATE_LIMIT_TEXTS)('honours Retry-After with %j under a 400', (text) => {
    expect(classifyAnswer('update', 400, { errors: [{ msg: text }] }, '7', NOW)).toMatchObject({
      kind: 'unavailable',
      retryAfterMs: 7_000,
    });
    expect(classifyAnswer('delete', 403, text, new Date(NOW + 20_000).toUTCString(), NOW)).toMatchObject({ retryAfterMs: 20_000 });
  });

  it('reads the idea, whatever the case or joining, among other messages', () => {
    for (const text of ['RATE LIMIT EXCEEDED', 'rate-limit hit', 'ratelimit', 'api_rate_limit']) {
      expect(classifyAnswer('create', 400, { errors: [{ msg: 'first' }, { msg: text }] }, null, NOW).kind).toBe('unavailable');
    }
    expect(classifyAnswer('create', 400, { errors: [{ msg: 'the rate is limited to 10 digits' }] }, null, NOW).kind).toBe('rejected');
  });
});

describe('errorMessages', () => {
  it('takes each msg of { errors: [{ msg }] }', () => {
    expect(
      errorMessages(
        {
          errors: [
            { msg: 'first', code: 'A' },
            { msg: 'second', code: 'B' },
          ],
        },
        400,
      ),
    ).toEqual(['first', 'second']);
  });

  it('takes message when an error has no msg, and skips blank ones', () => {
    expect(errorMessages({ errors: [{ message: 'from message' }, { msg: '  ' }, { code: 'X' }] }, 400)).toEqual(['from message']);
  });

  it('takes { message }', () => {
    expect(errorMessages({ message: 'Something went wrong' }, 500)).toEqual(['Something went wrong']);
  });

  it('takes { error }', () => {
    expect(errorMessages({ error: 'Bad Request' }, 400)).toEqual(['Bad Request']);
  });

  it('takes a plain string, trimmed', () => {
    expect(errorMessages('  upstream connect error  \n', 503)).toEqual(['upstream connect error']);
  });

  it('clips a long text to 300 characters', () => {
    const [message] = errorMessages('x'.repeat(5000), 400);
    expect(message).toBe(`${'x'.repeat(300)}…`);
  });

  it.each([
    ['an unrelated object', { foo: 1 }],
    ['a number', 42],
    ['an array', ['a', 'b']],
    ['errors that are not texts', { errors: [{ code: 1 }, null] }],
    ['errors that is not an array', { errors: 'bad' }],
    ['a blank string', '   '],
  ])('falls back to the status for %s', (_what, body) => {
    expect(errorMessages(body, 418)).toEqual(['HTTP 418']);
  });

  it.each([undefined, null])('falls back to the status for nothing (%s)', (body) => {
    expect(errorMessages(body, 502)).toEqual(['HTTP 502']);
  });
});

describe('parseRetryAfter', () => {
  it('reads seconds', () => {
    expect(parseRetryAfter('0', NOW)).toBe(0);
    expect(parseRetryAfter('7', NOW)).toBe(7_000);
    expect(parseRetryAfter(' 3600 ', NOW)).toBe(3_600_000);
    expect(parseRetryAfter('3601', NOW)).toBe(3_600_000);
    expect(parseRetryAfter('99999999999999999999', NOW)).toBe(3_600_000);
    expect(parseRetryAfter('Fri, 31 Dec 9999 23:59:59 GMT', NOW)).toBe(3_600_000);
  });

  it('reads an HTTP date as the time until then', () => {
    expect(parseRetryAfter(new Date(NOW + 90_000).toUTCString(), NOW)).toBe(90_000);
    expect(parseRetryAfter('Sun, 01 Jun 2025 12:01:00 GMT', NOW)).toBe(60_000);
  });

  it('does not wait for a date in the past', () => {
    expect(parseRetryAfter('Sun, 01 Jun 2025 11:00:00 GMT', NOW)).toBe(0);
  });

  it.each([null, '', 'soon', 'not a date'])('gives nothing for %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});

describe('mayHaveArrived', () => {
  const unavailable = (extra: Partial<Unavailable>): Unavailable => ({ kind: 'unavailable', messages: [], ...extra });

  it('is false for a connection that never opened, for 408, 429 and 503, and for a 4xx rate-limit answer', () => {
    for (const cause of ['refused', 'unresolved', 'unreachable'] as const) expect(mayHaveArrived(unavailable({ cause }))).toBe(false);
    for (const status of [408, 429, 503]) expect(mayHaveArrived(unavailable({ status }))).toBe(false);
    for (const status of [400, 403]) expect(mayHaveArrived(unavailable({ status, rateLimited: true }))).toBe(false);
  });

  it('is true after a timeout, a reset, an error it cannot place, a 5xx other than 503 and a 2xx without our contact', () => {
    for (const cause of ['timeout', 'reset', 'other'] as const) expect(mayHaveArrived(unavailable({ cause }))).toBe(true);
    for (const status of [200, 500, 502, 504]) expect(mayHaveArrived(unavailable({ status }))).toBe(true);
  });
});
