import { createHash } from 'node:crypto';
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Submission } from '../../../audit/submit.js';
import type { Contact } from '../../../contact/contact.js';
import { countryCallingCode } from '../../../contact/phone.js';
import { fieldMessages, otherCountryExample, type ContactField } from '../../../contact/validate.js';
import { countryByCode } from '../../countries.js';
import type { SlackDeps } from '../../deps.js';
import { FIELD_BLOCKS, readContactModal } from '../../views/contact-modal.js';
import { reportModal } from '../../views/report.js';

export type FormSubmissionArgs = SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs;

/** What a form's submission asks for, besides the fields it read: where it came from, and for an edit, what it changes. */
export type FormRequest = Pick<Submission, 'source' | 'operation' | 'targetContactId' | 'current'>;

/**
 * Submits a contact form (a new contact, or an edit) the one way: field errors go back to the form; a valid contact
 * is recorded in the audit trail before the ack, so an accepted request survives anything that happens next.
 */
export async function submitContactForm(
  deps: SlackDeps,
  { ack, body, view, logger }: FormSubmissionArgs,
  request: FormRequest,
): Promise<void> {
  const input = readContactModal(view);
  const teamId = body.team?.id ?? body.user.team_id;
  const operation = request.operation ?? 'create';
  const submitted = await deps.submit(
    {
      ...request,
      input: { ...input, country: countryByCode(input.countryCode)?.code ?? deps.defaultCountry },
      teamId,
      userId: body.user.id,
      reply: { kind: 'modal', viewId: view.id },
      idempotencyKey: (contact) => submissionKey(teamId, body.user.id, view.id, contact),
    },
    async (row) => ack({ response_action: 'update', view: reportModal(await deps.report(row), row.operation) }),
  );
  switch (submitted.kind) {
    case 'invalid':
      return ack({
        response_action: 'errors',
        errors: blockErrors(submitted.invalid ? fieldMessages(submitted.invalid, countryHint) : {}),
      });
    case 'unchanged':
      return refuseForm(ack, 'Nothing was changed: these are the values the contact already has. Change a field, or cancel.');
    case 'not-recorded':
      logger.error({ err: submitted.error }, 'could not record a contact request');
      return ack({
        response_action: 'errors',
        errors: {
          [FIELD_BLOCKS.phone]: `The bot could not save this request just now. Nothing was ${operation === 'create' ? 'created' : 'changed'}; please try again in a minute.`,
        },
      });
  }
}

/** Answers the form with a message that is about no one field (who may, what may be done), under the first name. */
export function refuseForm(ack: FormSubmissionArgs['ack'], message: string): Promise<void> {
  return ack({ response_action: 'errors', errors: { [FIELD_BLOCKS.firstName]: message } });
}

/** The form's own ways to another country: its Country field, or the number typed with a calling code. */
function countryHint(readIn: CountryCode): string {
  const code = countryCallingCode(otherCountryExample(readIn));
  return `If it's in another country, choose that country in the Country field or type the number with its code, e.g. ${code}.`;
}

function blockErrors(errors: Partial<Record<ContactField, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(errors).map(([field, message]) => [FIELD_BLOCKS[field as ContactField], message]));
}

/** The same view submitted again with the same values is the same request. */
function submissionKey(teamId: string | undefined, userId: string, viewId: string, contact: Contact): string {
  const { phone, ...names } = contact;
  return createHash('sha256')
    .update(JSON.stringify([teamId, userId, viewId, names, phone.e164, phone.extension]))
    .digest('base64url');
}
