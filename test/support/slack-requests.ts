import { createHmac } from 'node:crypto';

/** Signs a body the way Slack does (v0 HMAC-SHA256 over `v0:timestamp:body`). */
export function slackSignature(secret: string, body: string, timestamp: number): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
}

/** Posts a signed form body to the app's `/slack/events`, as Slack would. */
export async function postSigned(
  url: string,
  secret: string,
  form: Record<string, string>,
  opts: { timestamp?: number; signature?: string } = {},
): Promise<Response> {
  const body = new URLSearchParams(form).toString();
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/x-www-form-urlencoded',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': opts.signature ?? slackSignature(secret, body, timestamp),
    },
    body,
  });
}

/** A slash command payload. */
export function slashCommand(fields: { text?: string; userId?: string; triggerId?: string }): Record<string, string> {
  return {
    token: 'legacy',
    team_id: 'T1',
    team_domain: 'acme',
    channel_id: 'C1',
    channel_name: 'support',
    user_id: fields.userId ?? 'U1',
    user_name: 'agent',
    command: '/addcontact',
    text: fields.text ?? '',
    api_app_id: 'A1',
    response_url: 'https://hooks.slack.invalid/commands/1',
    trigger_id: fields.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
  };
}

/** An interactivity payload (`view_submission`, `message_action`, …) as Slack posts it. */
export function interactive(payload: Record<string, unknown>): Record<string, string> {
  return { payload: JSON.stringify(payload) };
}

/** Values of the contact modal, shaped like `view.state.values`. */
export function modalValues(v: {
  salutation?: string;
  firstName?: string;
  lastName?: string;
  country?: string;
  phone?: string;
  extension?: string;
}): Record<string, Record<string, unknown>> {
  const text = (id: string, value: string | undefined) => ({ [id]: { [id]: { type: 'plain_text_input', value: value ?? null } } });
  const select = (id: string, type: string, value: string | undefined) => ({
    [id]: { [id]: { type, selected_option: value ? { text: { type: 'plain_text', text: value }, value } : null } },
  });
  return {
    ...select('salutation', 'static_select', v.salutation),
    ...text('first_name', v.firstName),
    ...text('last_name', v.lastName),
    ...select('country', 'external_select', v.country),
    ...text('phone_number', v.phone),
    ...text('extension', v.extension),
  };
}

/** A `view_submission` of the contact modal. */
export function modalSubmission(
  values: Parameters<typeof modalValues>[0],
  opts: { userId?: string; viewId?: string; source?: string } = {},
) {
  return interactive({
    type: 'view_submission',
    team: { id: 'T1', domain: 'acme' },
    user: { id: opts.userId ?? 'U1', username: 'agent', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: 'trigger-submit',
    view: {
      id: opts.viewId ?? `V${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
      team_id: 'T1',
      type: 'modal',
      callback_id: 'add_contact',
      private_metadata: JSON.stringify({ source: opts.source ?? 'slash' }),
      state: { values: modalValues(values) },
      hash: 'h',
      app_id: 'A1',
      bot_id: 'B1',
    },
  });
}

/** Posts a signed JSON body (an Events API callback) to the app's `/slack/events`, as Slack would. */
export async function postSignedJson(url: string, secret: string, body: unknown): Promise<Response> {
  const text = JSON.stringify(body);
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, text, timestamp),
    },
    body: text,
  });
}

/** The `app_home_opened` event of `userId` opening the app's Home tab, in its Events API callback. */
export function appHomeOpened(userId: string, tab: 'home' | 'messages' = 'home') {
  return {
    token: 'legacy',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `Ev${Math.random().toString(36).slice(2, 12).toUpperCase()}`,
    event_time: Math.floor(Date.now() / 1000),
    event: { type: 'app_home_opened', user: userId, channel: `D${userId}`, tab, event_ts: `${Date.now() / 1000}` },
  };
}

/** A click on a button of the App Home (`block_actions`). */
export function homeButton(fields: { actionId: string; userId: string; value?: string; triggerId?: string }) {
  return interactive({
    type: 'block_actions',
    team: { id: 'T1', domain: 'acme' },
    user: { id: fields.userId, username: 'agent', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    container: { type: 'view', view_id: 'VHOME' },
    trigger_id: fields.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
    view: { id: 'VHOME', team_id: 'T1', type: 'home', blocks: [], private_metadata: '', callback_id: '', hash: 'h', app_id: 'A1' },
    actions: [
      {
        type: 'button',
        action_id: fields.actionId,
        block_id: 'b1',
        text: { type: 'plain_text', text: 'New contact' },
        ...(fields.value ? { value: fields.value } : {}),
        action_ts: `${Date.now() / 1000}`,
      },
    ],
  });
}
