import type { types, ViewOutput } from '@slack/bolt';
import { parseRequestId } from '../../audit/changeable.js';
import { SALUTATIONS, type ContactDraft } from '../../contact/contact.js';
import type { ContactField, ContactInput } from '../../contact/validate.js';
import type { Operation } from '../../kore/outcome.js';
import type { CountryOption } from '../countries.js';

/** The new-contact modal's callback_id. */
export const CONTACT_MODAL = 'add_contact';
/** The edit modal's callback_id: the same input blocks, for a contact that exists. */
export const EDIT_MODAL = 'edit_contact';

/** Input blocks; each block_id is also its element's action_id. */
export const FIELD_BLOCKS = {
  salutation: 'salutation',
  firstName: 'first_name',
  lastName: 'last_name',
  country: 'country',
  phone: 'phone_number',
  extension: 'extension',
} as const satisfies Record<ContactField | 'country', string>;

/** The most characters each text field takes (`max_length`): a name, a number as people type it, an extension. */
export const FIELD_MAX_LENGTH = { firstName: 80, lastName: 80, phone: 40, extension: 10 } as const;

/** What the new-contact modal remembers between opening and submission. */
export interface ModalMetadata {
  source: 'slash' | 'shortcut' | 'home';
}

/** The edit modal remembers only the request whose contact it edits: everything else is read again on submission. */
export interface EditMetadata {
  editOf: number;
}

/** How a form is named and submitted, by what it asks. */
export function formOf(operation: Operation): { callbackId: string; title: string; submit: string } {
  return operation === 'create'
    ? { callbackId: CONTACT_MODAL, title: 'Add contact', submit: 'Create' }
    : { callbackId: EDIT_MODAL, title: 'Edit contact', submit: 'Save' };
}

/** The option object Slack shows for a country. */
export function countryOption(country: CountryOption): types.PlainTextOption {
  return { text: { type: 'plain_text', text: country.label }, value: country.code };
}

const plain = (text: string) => ({ type: 'plain_text' as const, text });

function textInput(
  block: string,
  label: string,
  opts: { initial?: string; placeholder?: string; optional?: boolean; max?: number },
): types.InputBlock {
  return {
    type: 'input',
    block_id: block,
    optional: opts.optional ?? false,
    label: plain(label),
    element: {
      type: 'plain_text_input',
      action_id: block,
      ...(opts.initial ? { initial_value: opts.max ? within(opts.initial, opts.max) : opts.initial } : {}),
      ...(opts.placeholder ? { placeholder: plain(opts.placeholder) } : {}),
      ...(opts.max ? { max_length: opts.max } : {}),
    },
  };
}

/**
 * `text` cut to `max` characters, since Slack refuses a whole view whose initial value is longer than its field allows
 * (a card's `TEL:+91 99887 76655 (mobile - after 6pm only)` is 41). Cut between code points, and so that it fits
 * whether Slack counts code points or UTF-16 units.
 */
function within(text: string, max: number): string {
  if (text.length <= max) return text;
  let kept = '';
  for (const character of text) {
    if (kept.length + character.length > max) break;
    kept += character;
  }
  return kept;
}

/** The "Add contact" modal, or the "Edit contact" one, prefilled from a draft (an edit's with its extension too). */
export function contactModal(
  draft: ContactDraft & { extension?: string },
  country: CountryOption,
  metadata: ModalMetadata | EditMetadata,
  note?: string,
): types.ModalView {
  const form = formOf('editOf' in metadata ? 'update' : 'create');
  const salutations = SALUTATIONS.map((s) => ({ text: plain(s), value: s }));
  const initialSalutation = salutations.find((o) => o.value === draft.salutation);
  const blocks: types.KnownBlock[] = [
    ...(note ? [{ type: 'context' as const, elements: [{ type: 'mrkdwn' as const, text: note }] }] : []),
    {
      type: 'input',
      block_id: FIELD_BLOCKS.salutation,
      optional: true,
      label: plain('Salutation'),
      element: {
        type: 'static_select',
        action_id: FIELD_BLOCKS.salutation,
        placeholder: plain('Mr, Mrs, Ms or Dr'),
        options: salutations,
        ...(initialSalutation ? { initial_option: initialSalutation } : {}),
      },
    },
    textInput(FIELD_BLOCKS.firstName, 'First name', { initial: draft.firstName, max: FIELD_MAX_LENGTH.firstName }),
    textInput(FIELD_BLOCKS.lastName, 'Last name', { initial: draft.lastName, max: FIELD_MAX_LENGTH.lastName }),
    {
      type: 'input',
      block_id: FIELD_BLOCKS.country,
      label: plain('Country'),
      hint: plain('Used when the number is typed without a + country code.'),
      element: {
        type: 'external_select',
        action_id: FIELD_BLOCKS.country,
        min_query_length: 0,
        placeholder: plain('Search by name or code'),
        initial_option: countryOption(country),
      },
    },
    textInput(FIELD_BLOCKS.phone, 'Mobile number', {
      initial: draft.phone,
      placeholder: `${country.callingCode} …`,
      max: FIELD_MAX_LENGTH.phone,
    }),
    textInput(FIELD_BLOCKS.extension, 'Extension', {
      initial: draft.extension,
      optional: true,
      placeholder: 'Digits only',
      max: FIELD_MAX_LENGTH.extension,
    }),
  ];
  return {
    type: 'modal',
    callback_id: form.callbackId,
    private_metadata: 'editOf' in metadata ? String(metadata.editOf) : JSON.stringify(metadata),
    title: plain(form.title),
    submit: plain(form.submit),
    close: plain('Cancel'),
    blocks,
  };
}

/** The fields of a submitted modal, as raw text; anything not shaped like Slack's values reads as empty. */
export function readContactModal(view: ViewOutput): ContactInput & { countryCode?: string } {
  const values: Record<string, Record<string, { value?: unknown; selected_option?: { value?: unknown } | null }> | undefined> =
    view.state?.values ?? {};
  const string = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const text = (block: string) => string(values[block]?.[block]?.value);
  const selected = (block: string) => string(values[block]?.[block]?.selected_option?.value);
  return {
    salutation: selected(FIELD_BLOCKS.salutation),
    firstName: text(FIELD_BLOCKS.firstName),
    lastName: text(FIELD_BLOCKS.lastName),
    phone: text(FIELD_BLOCKS.phone),
    extension: text(FIELD_BLOCKS.extension),
    countryCode: selected(FIELD_BLOCKS.country),
  };
}

const SOURCES: readonly string[] = ['slash', 'shortcut', 'home'] satisfies ModalMetadata['source'][];

/** Reads the metadata the modal was opened with; a tampered or missing value counts as a slash command. */
export function readModalMetadata(view: ViewOutput): ModalMetadata {
  try {
    const parsed = JSON.parse(view.private_metadata) as { source?: unknown } | null;
    const source = parsed?.source;
    return { source: typeof source === 'string' && SOURCES.includes(source) ? (source as ModalMetadata['source']) : 'slash' };
  } catch {
    return { source: 'slash' };
  }
}

/** The request an edit modal edits the contact of; undefined when its metadata is not a request id. */
export function readEditMetadata(view: ViewOutput): number | undefined {
  return parseRequestId(view.private_metadata);
}
