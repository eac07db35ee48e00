import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/log.js';
import { startContactBot, type ContactBot } from '../../src/server.js';
import { freePort } from '../support/bot.js';
import { testTargets, type Scratch } from '../support/databases.js';
import { startFakeSlack, type FakeSlack } from '../support/fake-slack.js';
import { appHomeOpened, buttonClick, functionExecuted, modalSubmission, slashCommand } from '../support/slack-requests.js';

describe('Socket Mode', () => {
  let slack: FakeSlack;
  let place: Scratch;
  let bot: ContactBot;
  let port: number;

  beforeAll(async () => {
    slack = await startFakeSlack();
    place = await testTargets()[0]!.scratch();
    port = await freePort();
    const config = loadConfig(
      {
        SLACK_BOT_TOKEN: 'xoxb-socket-bot',
        SLACK_APP_TOKEN: 'xapp-1-socket-app-token',
        SLACK_API_URL: slack.url,
        PORT: String(port),
        DEFAULT_COUNTRY: 'IN',
        ...place.env,
      },
      'app',
    );
    bot = await startContactBot(config, createLogger('error'));
  });
  afterAll(async () => {
    await bot?.stop(1_000);
    await slack?.close();
    await place?.remove();
  });

  it('connects through SLACK_API_URL with the app token', async () => {
    const call = await slack.waitFor('apps.connections.open');
    expect(call.token).toBe('xapp-1-socket-app-token');
  });

  it('takes /addcontact over the socket and opens the modal with the bot token', async () => {
    const { trigger_id, ...fields } = slashCommand({ text: 'Dr. Priya Natarajan +91 99887 76655', triggerId: 'trigger-socket' });
    await slack.sendEnvelope('slash_commands', { trigger_id, ...fields });
    const open = await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trigger-socket');
    expect(open.token).toBe('xoxb-socket-bot');
    expect(JSON.stringify(open.args.view)).toContain('Natarajan');
  });

  it('takes a workflow step over the socket, acknowledges it, and completes it with the execution’s token', async () => {
    const executionId = 'Fx0SOCKET';
    const inputs = { first_name: 'Priya', last_name: 'Natarajan', phone_number: '+91 99887 76655' };
    await slack.sendEnvelope('events_api', functionExecuted({ executionId, inputs, token: 'xwfp-socket-execution' }));
    const done = await slack.waitFor('functions.completeSuccess', (c) => c.args.function_execution_id === executionId, 20_000);
    expect(done.token).toBe('xwfp-socket-execution');
    expect(done.args.outputs).toMatchObject({ status: 'created', phone_number: '+919988776655' });
  });

  it('takes the buttons of a created contact over the socket: Edit opens the edit modal', async () => {
    const form = modalSubmission({ firstName: 'Sakshi', lastName: 'Menon', country: 'IN', phone: '+91 98765 72001' });
    await slack.sendEnvelope('interactive', JSON.parse(form.payload!));
    const dm = await slack.waitFor('chat.postMessage', (c) => String(c.args.text).startsWith('Contact created'));
    const actions = (dm.args.blocks as { type: string; elements?: { action_id: string; value: string }[] }[]).find(
      (b) => b.type === 'actions',
    );
    const edit = actions?.elements?.find((b) => b.action_id === 'edit_contact');
    expect(edit?.value).toMatch(/^\d+$/);
    await slack.sendEnvelope(
      'interactive',
      JSON.parse(buttonClick({ actionId: 'edit_contact', value: edit!.value, triggerId: 'trigger-socket-edit' }).payload!),
    );
    const open = await slack.waitFor('views.open', (c) => c.args.trigger_id === 'trigger-socket-edit');
    expect(open.args.view).toMatchObject({ callback_id: 'edit_contact', private_metadata: edit!.value });
  });

  it('takes app_home_opened over the socket and publishes that user’s home', async () => {
    await slack.sendEnvelope('events_api', appHomeOpened('USOCKET'));
    const publish = await slack.waitFor('views.publish', (c) => c.args.user_id === 'USOCKET');
    expect(publish.token).toBe('xoxb-socket-bot');
    expect(publish.args.user_id).toBe('USOCKET');
    expect((publish.args.view as { type: string }).type).toBe('home');
  });

  it('still answers /healthz and /metrics on PORT', async () => {
    const res = await fetch(`http://127.0.0.1:${port}/healthz`);
    expect(res.status).toBe(200);
    const metrics = await fetch(`http://127.0.0.1:${port}/metrics`);
    expect(metrics.status).toBe(200);
    expect(await metrics.text()).toContain('\ncontact_bot_database_up 1\n');
  });
});
