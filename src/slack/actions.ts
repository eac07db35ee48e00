/**
 * The buttons' `action_id`s (SPEC §4): edit, delete and retry carry the id of the request they act on, `cancel_import`
 * the id of its import, `open_add_contact` nothing.
 */
export const ACTIONS = {
  openAddContact: 'open_add_contact',
  editContact: 'edit_contact',
  deleteContact: 'delete_contact',
  retryRequest: 'retry_request',
  cancelImport: 'cancel_import',
} as const;
