import { describe, expect, it } from 'vitest';
import { DatabaseUnavailable } from '../src/database-error.js';

describe('DatabaseUnavailable', () => {
  it('names the host and port, tells unreachable from refused, and never shows the password', () => {
    const refused = Object.assign(new Error('password authentication failed for user "bot" (p@ss)'), { code: '28P01' });
    expect(new DatabaseUnavailable('postgres://bot:p%40ss@db.internal/contacts', refused).message).toBe(
      'the database at db.internal:5432 (DATABASE_URL) refused to open: password authentication failed for user "bot" (***)',
    );
    const down = Object.assign(new Error('getaddrinfo ENOTFOUND db.internal'), { code: 'ENOTFOUND' });
    expect(new DatabaseUnavailable('postgresql://db.internal:6543/contacts', down).message).toBe(
      'the database at db.internal:6543 (DATABASE_URL) is not reachable: getaddrinfo ENOTFOUND db.internal',
    );
    expect(new DatabaseUnavailable('postgres://db/x', new Error('Connection terminated due to connection timeout')).message).toMatch(
      /^the database at db:5432 \(DATABASE_URL\) is not reachable: /,
    );
  });
});
