/**
 * Who may do what with contacts, whichever way they come in. Today: who may create (`ALLOWED_USER_IDS`); next
 * (issue 12), who may edit, delete or retry a request — the user who made it, or an admin.
 */
export interface Permissions {
  /** Whether this user may create contacts. */
  mayCreateContacts(userId: string): boolean;
}

/** The permissions the settings give: with no `ALLOWED_USER_IDS`, everyone in the workspace may create contacts. */
export function permissions(settings: { allowedUserIds?: ReadonlySet<string> }): Permissions {
  const allowed = settings.allowedUserIds;
  return { mayCreateContacts: (userId) => !allowed || allowed.has(userId) };
}
