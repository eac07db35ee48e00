/**
 * Who may do what with contacts, whichever way they come in: who may create (`ALLOWED_USER_IDS`), and who may edit,
 * delete or retry a request — the user who made it, or an admin (`ADMIN_USER_IDS`).
 */
export interface Permissions {
  /** Whether this user may create contacts. */
  mayCreateContacts(userId: string): boolean;
  /** Whether this user sees the whole team's requests and the delivery's health. */
  isAdmin(userId: string): boolean;
  /** Whether this user may edit, delete or retry a request `creatorId` made. */
  mayChange(userId: string, creatorId: string): boolean;
}

/**
 * The permissions the settings give: with no `ALLOWED_USER_IDS`, everyone in the workspace may create contacts. A
 * change needs the right to create too, so removing someone from `ALLOWED_USER_IDS` takes away every right.
 */
export function permissions(settings: { allowedUserIds?: ReadonlySet<string>; adminUserIds?: ReadonlySet<string> }): Permissions {
  const allowed = settings.allowedUserIds;
  const admins = settings.adminUserIds ?? new Set<string>();
  const mayCreateContacts = (userId: string) => !allowed || allowed.has(userId);
  const isAdmin = (userId: string) => admins.has(userId) && mayCreateContacts(userId);
  return {
    mayCreateContacts,
    isAdmin,
    mayChange: (userId, creatorId) => mayCreateContacts(userId) && (userId === creatorId || isAdmin(userId)),
  };
}
