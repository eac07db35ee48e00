import type { CountryCode } from 'libphonenumber-js/max';
import { SALUTATIONS } from '../contact/contact.js';
import { countryCallingCode } from '../contact/phone.js';
import { fieldMessages, otherCountryExample, type ContactField, type ContactInput, type InvalidContact } from '../contact/validate.js';
import { countryByCode } from './countries.js';
import { FIELD_MAX_LENGTH } from './views/contact-modal.js';

/** The Workflow Builder step's callback_id, as manifest.yml's `functions` names it. */
export const CONTACT_STEP = 'create_contact';

/** The audit user of a request whose workflow named no `requested_by`. */
export const WORKFLOW_USER = 'workflow';

/** The step's inputs by the contact field each fills, as manifest.yml names them. */
export const STEP_INPUTS = {
  salutation: 'salutation',
  firstName: 'first_name',
  lastName: 'last_name',
  phone: 'phone_number',
  extension: 'extension',
} as const satisfies Record<ContactField, string>;

/**
 * The longest value each input takes: what the form's fields let a person type (the codes have room to spare). A
 * workflow can pass any text, and a number is read no further than a form would let it be typed.
 */
const LONGEST: Record<string, number> = {
  salutation: 10,
  [STEP_INPUTS.firstName]: FIELD_MAX_LENGTH.firstName,
  [STEP_INPUTS.lastName]: FIELD_MAX_LENGTH.lastName,
  [STEP_INPUTS.phone]: FIELD_MAX_LENGTH.phone,
  [STEP_INPUTS.extension]: FIELD_MAX_LENGTH.extension,
  country: 10,
  requested_by: 30,
};

/** What is wrong with a step's inputs: a message per input, by its name. */
export type InputErrors = Record<string, string>;

/** The step's inputs as the submit path takes them, or what is wrong with them before the contact is checked. */
export type StepInputs = { ok: true; input: ContactInput; requestedBy?: string } | { ok: false; errors: InputErrors };

/**
 * Reads the inputs a workflow gave the step: text as the form would take it, the country as an ISO code (blank:
 * `defaultCountry`), the salutation in any case and with or without its dot. The contact itself is checked by the
 * submit path, as the form's is.
 */
export function readStepInputs(inputs: Record<string, unknown>, defaultCountry: CountryCode): StepInputs {
  const errors: InputErrors = {};
  const text = (name: string): string | undefined => {
    const value = inputs[name];
    if (typeof value !== 'string' || value.trim() === '') return undefined;
    if (value.length <= LONGEST[name]!) return value;
    errors[name] = `Keep it under ${LONGEST[name]} characters.`;
    return undefined;
  };
  const countryCode = text('country')?.trim();
  const country = countryCode === undefined ? defaultCountry : countryByCode(countryCode)?.code;
  if (!country) errors.country = 'Use a two-letter ISO country code, e.g. IN or GB.';
  const requestedBy = text('requested_by')?.trim();
  if (requestedBy && !/^[UW][A-Z0-9]+$/.test(requestedBy)) errors.requested_by = 'Use a Slack user ID, e.g. U012AB3CDE.';
  const input: ContactInput = {
    salutation: salutation(text(STEP_INPUTS.salutation)),
    firstName: text(STEP_INPUTS.firstName),
    lastName: text(STEP_INPUTS.lastName),
    phone: text(STEP_INPUTS.phone),
    extension: text(STEP_INPUTS.extension),
    ...(country ? { country } : {}),
  };
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  return { ok: true, input, ...(requestedBy ? { requestedBy } : {}) };
}

/** `dr.` and `DR` are the form's `Dr`; anything else is left for the contact check to refuse. */
function salutation(text: string | undefined): string | undefined {
  const bare = text?.trim().replace(/\.$/, '').toLowerCase();
  return SALUTATIONS.find((s) => s.toLowerCase() === bare) ?? text;
}

/** The form's message for each field of an invalid contact, by the step's input names, with the step's own hint. */
export function contactInputErrors(invalid: InvalidContact): InputErrors {
  return Object.fromEntries(
    Object.entries(fieldMessages(invalid, countryHint)).map(([field, message]) => [STEP_INPUTS[field as ContactField], message]),
  );
}

/** The step's own ways to another country: its country input, or the number given with its code. */
function countryHint(readIn: CountryCode): string {
  const other = otherCountryExample(readIn);
  return `If it's in another country, set the step's country input (e.g. ${other}) or give the number with its code, e.g. ${countryCallingCode(other)}.`;
}

/** Why the step may not create a contact for this requester: `ALLOWED_USER_IDS` names who may. */
export function requesterNotAllowed(requestedBy: string | undefined): InputErrors {
  return {
    requested_by: requestedBy
      ? `${requestedBy} is not on this app's list of people who can create contacts (ALLOWED_USER_IDS).`
      : 'This app creates contacts only for the people on its list (ALLOWED_USER_IDS): set requested_by to one of them.',
  };
}

/** What the workflow is told when the inputs are wrong: each input at fault, by name, and what to change. */
export function invalidInputsError(errors: InputErrors): string {
  return [
    'The contact was not created. Check these inputs of the step:',
    ...Object.entries(errors).map(([name, message]) => `• ${name}: ${message}`),
  ].join('\n');
}
