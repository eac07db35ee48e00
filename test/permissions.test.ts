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

  it('lets the creator of a request or an admin change it, and nobody else', () => {
    const rules = permissions({ adminUserIds: new Set(['U0ADMIN']) });
    expect(rules.mayChange('U0AGENT', 'U0AGENT')).toBe(true);
    expect(rules.mayChange('U0ADMIN', 'U0AGENT')).toBe(true);
    expect(rules.mayChange('U0OTHER', 'U0AGENT')).toBe(false);
    expect([rules.isAdmin('U0ADMIN'), rules.isAdmin('U0AGENT')]).toEqual([true, false]);
  });

  it('takes every right from someone ALLOWED_USER_IDS leaves out, admin or creator', () => {
    const rules = permissions({ allowedUserIds: new Set(['U0AGENT']), adminUserIds: new Set(['U0ADMIN']) });
    expect(rules.isAdmin('U0ADMIN')).toBe(false);
    expect(rules.mayChange('U0ADMIN', 'U0AGENT')).toBe(false);
    expect(permissions({ allowedUserIds: new Set(['U0ADMIN']) }).mayChange('U0AGENT', 'U0AGENT')).toBe(false);
  });

  it('has no admins when ADMIN_USER_IDS is unset', () => {
    expect(permissions({}).isAdmin('U0ANYONE')).toBe(false);
  });
});
