import { describe, expect, it } from 'vitest';
import { permissions } from '../src/permissions.js';

describe('permissions', () => {
  it('lets everyone create contacts when ALLOWED_USER_IDS is unset', () => {
    expect(permissions({}).mayCreateContacts('U0ANYONE')).toBe(true);
  });

  it('lets only the listed users create contacts', () => {
    const listed = permissions({ allowedUserIds: new Set(['U0AGENT', 'W0GRID']) });
    expect(['U0AGENT', 'W0GRID', 'U0OTHER'].map((id) => listed.mayCreateContacts(id))).toEqual([true, true, false]);
  });
});
