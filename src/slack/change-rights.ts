import type { Permissions } from '../permissions.js';
import { NOT_ALLOWED } from './deps.js';

/** What a user who may not change a request is told (nothing is sent or recorded). */
export const NOT_YOURS =
  'Only the person who created this contact, or an admin of this app, can edit, delete or retry it. Nothing was changed.';

/**
 * What `userId` is told when they may not change a request whose contact `creatorId` created (undefined: no such
 * request); undefined when they may. Checked before what the request allows, so nobody else learns anything of it.
 */
export function changeRefusal(permissions: Permissions, userId: string, creatorId: string | undefined): string | undefined {
  if (!permissions.mayCreateContacts(userId)) return NOT_ALLOWED;
  return creatorId === undefined || permissions.mayChange(userId, creatorId) ? undefined : NOT_YOURS;
}
