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

/** **Save as contact** (`message_action`) on a message of `message`'s fields, by `userId`. */
export function saveAsContact(triggerId: string, message: Record<string, unknown>, userId = 'U1') {
  return interactive({
    type: 'message_action',
    callback_id: 'save_contact',
    trigger_id: triggerId,
    team: { id: 'T1', domain: 'acme' },
    user: { id: userId, name: 'agent', team_id: 'T1' },
    channel: { id: 'C1', name: 'support' },
    message_ts: '1700000000.000100',
    response_url: 'https://hooks.slack.invalid/actions/1',
    token: 'legacy',
    message: { type: 'message', user: 'U7', ts: '1700000000.000100', ...message },
  });
}

/** The import preview (`import_contacts`) of draft `draftKey` as Slack sends it back, with `country` chosen. */
export function importPreviewView(draftKey: string, country: string, viewId = 'VIMPORT') {
  return {
    id: viewId,
    hash: 'h1',
    team_id: 'T1',
    type: 'modal',
    callback_id: 'import_contacts',
    private_metadata: draftKey,
    state: {
      values: {
        import_country: {
          import_country: { type: 'external_select', selected_option: { text: { type: 'plain_text', text: country }, value: country } },
        },
      },
    },
  };
}

/** A `view_submission` of `view` by `userId`, as Slack posts it. */
function viewSubmission(view: Record<string, unknown>, userId = 'U1') {
  return interactive({
    type: 'view_submission',
    team: { id: 'T1', domain: 'acme' },
    user: { id: userId, username: 'agent', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: 'trigger-submit',
    view,
  });
}

/** **Create N contacts** on the import preview of draft `draftKey`, with `country` chosen. */
export function importSubmission(draftKey: string, country: string, opts: { userId?: string; viewId?: string } = {}) {
  return viewSubmission(importPreviewView(draftKey, country, opts.viewId), opts.userId);
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

/** A `view_submission` of the contact modal (or, with `editOf`, of the edit modal for that request). */
export function modalSubmission(
  values: Parameters<typeof modalValues>[0],
  opts: { userId?: string; viewId?: string; source?: string; editOf?: string } = {},
) {
  return viewSubmission(
    {
      id: opts.viewId ?? `V${Math.random().toString(36).slice(2, 10).toUpperCase()}`,
      team_id: 'T1',
      type: 'modal',
      callback_id: opts.editOf === undefined ? 'add_contact' : 'edit_contact',
      private_metadata: opts.editOf ?? JSON.stringify({ source: opts.source ?? 'slash' }),
      state: { values: modalValues(values) },
      hash: 'h',
      app_id: 'A1',
      bot_id: 'B1',
    },
    opts.userId,
  );
}

/** Posts a signed Events API body (JSON) to the app's `/slack/events`, as Slack would. */
export async function postSignedEvent(url: string, secret: string, event: unknown): Promise<Response> {
  const body = JSON.stringify(event);
  const timestamp = Math.floor(Date.now() / 1000);
  return fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-slack-request-timestamp': String(timestamp),
      'x-slack-signature': slackSignature(secret, body, timestamp),
    },
    body,
  });
}

/** The `create_contact` step's inputs, by the names manifest.yml gives them. */
export interface StepInputs {
  salutation?: string;
  first_name?: string;
  last_name?: string;
  phone_number?: string;
  country?: string;
  extension?: string;
  requested_by?: string;
}

/** A `function_executed` event of the `create_contact` step, wrapped as the Events API delivers it. */
export function functionExecuted(fields: { executionId: string; inputs: StepInputs; token?: string }) {
  const now = Math.floor(Date.now() / 1000);
  return {
    token: 'legacy',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: `Ev${fields.executionId}`,
    event_time: now,
    authorizations: [{ team_id: 'T1', user_id: 'UBOT', is_bot: true, is_enterprise_install: false }],
    event: {
      type: 'function_executed',
      function: {
        id: 'Fn0CREATE',
        callback_id: 'create_contact',
        title: 'Create Kore.ai contact',
        type: 'app',
        input_parameters: [],
        output_parameters: [],
        app_id: 'A1',
        date_created: now,
        date_updated: now,
        date_deleted: 0,
      },
      inputs: fields.inputs,
      function_execution_id: fields.executionId,
      workflow_execution_id: `Wx${fields.executionId}`,
      event_ts: `${now}.000100`,
      bot_access_token: fields.token ?? `xwfp-${fields.executionId}-execution-token`,
    },
  };
}

/**
 * A click on a button (`block_actions`) on one of the app's DMs, or in App Home with `home` (no channel, no
 * response_url there).
 */
export function buttonClick(fields: { actionId: string; value: string; userId?: string; home?: boolean; triggerId?: string }) {
  const user = fields.userId ?? 'U1';
  const where = fields.home
    ? {
        container: { type: 'view', view_id: 'VHOME' },
        view: { id: 'VHOME', type: 'home', team_id: 'T1', callback_id: '', private_metadata: '', blocks: [], state: { values: {} } },
      }
    : {
        container: { type: 'message', message_ts: '1700000000.000100', channel_id: `D-${user}`, is_ephemeral: false },
        channel: { id: `D-${user}`, name: 'directmessage' },
        message: { type: 'message', ts: '1700000000.000100', text: 'Contact created', blocks: [] },
        response_url: 'https://hooks.slack.invalid/actions/1',
      };
  return interactive({
    type: 'block_actions',
    team: { id: 'T1', domain: 'acme' },
    user: { id: user, username: 'agent', team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: fields.triggerId ?? `trigger-${Math.random().toString(36).slice(2)}`,
    ...where,
    actions: [
      {
        type: 'button',
        action_id: fields.actionId,
        block_id: 'next',
        value: fields.value,
        text: { type: 'plain_text', text: 'Button' },
        action_ts: `${Date.now() / 1000}`,
      },
    ],
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
