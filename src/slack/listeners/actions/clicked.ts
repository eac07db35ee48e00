import type { AllMiddlewareArgs, BlockAction, ButtonAction, SlackActionMiddlewareArgs } from '@slack/bolt';
import { notChangeableMessage, parseRequestId, type Change, type Target } from '../../../audit/changeable.js';
import { changeRefusal } from '../../change-rights.js';
import type { SlackDeps } from '../../deps.js';
import type { Submitted } from '../../../audit/submit.js';

export type ButtonArgs = SlackActionMiddlewareArgs<BlockAction<ButtonAction>> & AllMiddlewareArgs;

/**
 * Tells the user who clicked, and only them: an ephemeral message where they clicked (a DM), or in the app's
 * messages for a click in App Home, which has no channel. Not getting through is logged; nothing was done anyway.
 */
export async function tellClicker({ body, client, logger }: ButtonArgs, text: string): Promise<void> {
  await client.chat.postEphemeral({ channel: body.channel?.id ?? body.user.id, user: body.user.id, text }).catch((error: unknown) => {
    logger.warn({ user: body.user.id, err: error }, 'could not answer a button');
  });
}

/**
 * Tells the user what became of a change a button submitted, unless its outcome DM will: a request accepted by an
 * earlier click (a double click, Slack's retry) is told once, by the first.
 */
export async function tellSubmitted(args: ButtonArgs, submitted: Submitted, change: Change): Promise<void> {
  switch (submitted.kind) {
    case 'accepted':
      return;
    case 'not-recorded':
      args.logger.error({ err: submitted.error }, `could not record a ${change} request`);
      return tellClicker(args, 'The bot could not save this request just now. Nothing was changed; please try again in a minute.');
    case 'invalid':
    case 'unchanged':
      // The values were valid when recorded; only a change of the numbering rules since makes them fail now.
      args.logger.warn({ change, invalid: submitted }, 'stored contact values no longer pass the checks');
      return tellClicker(
        args,
        "This contact's stored values no longer pass the bot's checks, so nothing was changed. Please edit it instead.",
      );
  }
}

/**
 * What the clicked button's request allows for `change`, read again by the request id the button carries (`read`),
 * when the clicker may make it; else the clicker is told why, and it is undefined.
 */
export async function clickedTarget<T>(
  args: ButtonArgs,
  deps: Pick<SlackDeps, 'permissions'>,
  change: Change,
  read: (requestId: number) => Promise<Target<T>>,
): Promise<Extract<Target<T>, { ok: true }> | undefined> {
  const requestId = parseRequestId(args.action.value);
  const target = requestId === undefined ? undefined : await read(requestId);
  const refusal = changeRefusal(deps.permissions, args.body.user.id, target?.creatorId);
  if (refusal) return void (await tellClicker(args, refusal));
  if (!target?.ok) return void (await tellClicker(args, notChangeableMessage(target?.why ?? 'unknown', change, target?.request)));
  return target as Extract<Target<T>, { ok: true }>;
}
