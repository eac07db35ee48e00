import { getCountries } from 'libphonenumber-js/max';
import { z } from 'zod';

// How one environment variable's text becomes a value (config.ts puts them together): blank is unset, and each
// message says what to write.

/** ISO 3166-1 alpha-2 codes libphonenumber knows. */
export const COUNTRIES = new Set<string>(getCountries());

export const optional = z
  .string()
  .transform((s) => s.trim())
  .transform((s) => (s === '' ? undefined : s))
  .optional();

export const url = optional.pipe(z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional());

const PORT = 'must be a port number (0 to 65535)';
const POSITIVE = 'must be a positive number';
export const positive = optional.pipe(z.coerce.number<string | undefined>(POSITIVE).positive(POSITIVE).optional());

/** Slack user IDs are an upper-case `U` or `W` (Enterprise Grid) and upper-case letters and digits. */
const USER_ID = /^[UW][A-Z0-9]+$/;
const USER_ID_HELP = "Slack user IDs look like U012AB3CDE or W012AB3CDE (a member's profile → ⋯ → Copy member ID)";

/** A wrong entry as the message names it: quoted, unless it could be a token pasted in the wrong place. */
function shown(entry: string, index: number): string {
  return entry.length > 24 || /^x(ox|app)/i.test(entry) ? `entry ${index + 1} (not shown)` : JSON.stringify(entry);
}

export const userIds = optional.pipe(
  z
    .string()
    .transform((s) => [
      ...new Set(
        s
          .split(',')
          .map((id) => id.trim())
          .filter(Boolean),
      ),
    ])
    .superRefine((ids, ctx) => {
      const bad = ids.flatMap((id, i) => (USER_ID.test(id) ? [] : [shown(id, i)]));
      if (ids.length === 0) ctx.addIssue({ code: 'custom', message: 'lists no user IDs; leave it unset to let everyone in' });
      else if (bad.length > 0) {
        const named = bad.join(', ');
        ctx.addIssue({
          code: 'custom',
          message: `${named} ${bad.length === 1 ? 'is not a Slack user ID' : 'are not Slack user IDs'}; ${USER_ID_HELP}`,
        });
      }
    })
    .optional(),
);

/** A whole number from 1 to `max`, `fallback` when unset. */
export const whole = (fallback: number, max = Number.MAX_SAFE_INTEGER) => {
  const message = max === Number.MAX_SAFE_INTEGER ? 'must be a whole number above 0' : `must be a whole number from 1 to ${max}`;
  return optional.pipe(z.coerce.number<string | undefined>(message).int(message).min(1, message).max(max, message).default(fallback));
};

export const port = (fallback: number) =>
  optional.pipe(z.coerce.number<string | undefined>(PORT).int(PORT).min(0, PORT).max(65535, PORT).default(fallback));
export const databaseUrl = optional.pipe(
  z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// URL')
    .optional(),
);
export const enforceJti = optional.pipe(z.enum(['true', 'false'], 'must be true or false').default('false'));
