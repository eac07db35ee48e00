import type { AllMiddlewareArgs, SlackEventMiddlewareArgs } from '@slack/bolt';
import {
  contactInputErrors,
  invalidInputsError,
  readStepInputs,
  requesterNotAllowed,
  WORKFLOW_USER,
  type InputErrors,
} from '../../contact-step.js';
import type { SlackDeps } from '../../deps.js';

type StepArgs = SlackEventMiddlewareArgs<'function_executed'> & AllMiddlewareArgs;

/**
 * The `create_contact` step, run by a workflow: inputs that cannot make a contact end the step at once; a valid
 * contact is recorded (source `workflow`, reply: this execution) before the event is acknowledged, and the step is
 * completed from the outbox when the request settles. Slack may send the same execution twice: its id is the
 * request's idempotency key, so it is one request and one completion.
 */
export function createContactStep(deps: SlackDeps) {
  return async ({ ack, event, body, context, fail, logger }: StepArgs): Promise<void> => {
    const executionId = event.function_execution_id;
    const refuse = async (error: string) => {
      await ack();
      await fail({ error }).catch((err: unknown) => logger.warn({ execution: executionId, err }, 'could not fail the workflow step'));
    };
    const read = readStepInputs(event.inputs, deps.defaultCountry);
    if (!read.ok) return refuse(invalidInputsError(read.errors));
    if (!deps.permissions.mayCreateContacts(read.requestedBy ?? WORKFLOW_USER)) {
      return refuse(invalidInputsError(requesterNotAllowed(read.requestedBy)));
    }
    const submitted = await deps.submit(
      {
        input: read.input,
        teamId: body.team_id,
        userId: read.requestedBy ?? WORKFLOW_USER,
        source: 'workflow',
        reply: { kind: 'function', executionId },
        ...(context.functionBotAccessToken ? { replyToken: context.functionBotAccessToken } : {}),
        idempotencyKey: () => `function:${executionId}`,
      },
      () => ack(),
    );
    if (submitted.kind === 'invalid') {
      const errors: InputErrors = submitted.invalid ? contactInputErrors(submitted.invalid) : {};
      return refuse(invalidInputsError(errors));
    }
    if (submitted.kind === 'not-recorded') {
      logger.error({ execution: executionId, err: submitted.error }, 'could not record a workflow step’s contact request');
      return refuse('The bot could not save this request just now. Nothing was created; run the workflow again in a minute.');
    }
  };
}
