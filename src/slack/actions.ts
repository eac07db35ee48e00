/** The buttons' `action_id`s (SPEC §4): each but `open_add_contact` carries the id of the request it acts on. */
export const ACTIONS = {
  openAddContact: 'open_add_contact',
  editContact: 'edit_contact',
  deleteContact: 'delete_contact',
  retryRequest: 'retry_request',
} as const;
