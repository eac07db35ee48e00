import { createHash } from 'node:crypto';
import type { AllMiddlewareArgs, SlackViewMiddlewareArgs, ViewSubmitAction } from '@slack/bolt';
import type { CountryCode } from 'libphonenumber-js/max';
import type { Contact } from '../../../contact/contact.js';
import { countryCallingCode } from '../../../contact/phone.js';
import { fieldMessages, otherCountryExample, type ContactField } from '../../../contact/validate.js';
import { countryByCode } from '../../countries.js';
import { NOT_ALLOWED, type SlackDeps } from '../../deps.js';
import { FIELD_BLOCKS, readContactModal, readModalMetadata } from '../../views/contact-modal.js';
import { reportModal } from '../../views/report.js';

/**
 * Submission of the contact modal: field errors go back to the modal; a valid contact is recorded in the
 * audit trail before the ack, so an accepted request survives anything that happens next.
 */
export function addContactSubmission(deps: SlackDeps) {
  return async ({ ack, body, view, logger }: SlackViewMiddlewareArgs<ViewSubmitAction> & AllMiddlewareArgs): Promise<void> => {
    if (!deps.permissions.mayCreateContacts(body.user.id)) {
      return ack({ response_action: 'errors', errors: { [FIELD_BLOCKS.firstName]: NOT_ALLOWED } });
    }
    const input = readContactModal(view);
    const teamId = body.team?.id ?? body.user.team_id;
    const submitted = await deps.submit(
      {
        input: { ...input, country: countryByCode(input.countryCode)?.code ?? deps.defaultCountry },
        teamId,
        userId: body.user.id,
        source: readModalMetadata(view).source,
        reply: { kind: 'modal', viewId: view.id },
        idempotencyKey: (contact) => submissionKey(teamId, body.user.id, view.id, contact),
      },
      async (row) => ack({ response_action: 'update', view: reportModal(await deps.report(row)) }),
    );
    if (submitted.kind === 'invalid') {
      return ack({
        response_action: 'errors',
        errors: blockErrors(submitted.invalid ? fieldMessages(submitted.invalid, countryHint) : {}),
      });
    }
    if (submitted.kind === 'not-recorded') {
      logger.error({ err: submitted.error }, 'could not record a contact request');
      return ack({
        response_action: 'errors',
        errors: {
          [FIELD_BLOCKS.phone]: 'The bot could not save this request just now. Nothing was created; please try again in a minute.',
        },
      });
    }
  };
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
