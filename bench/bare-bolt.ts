/**
 * The baseline for the ack benchmark: the smallest Bolt app that does what the product's `/addcontact` does
 * before and after its ack (ack, then `views.open` with a small modal), on Bolt's HTTP receiver.
 * Env: PORT, SLACK_SIGNING_SECRET, SLACK_BOT_TOKEN, SLACK_API_URL.
 */
import { App, HTTPReceiver } from '@slack/bolt';

const signingSecret = process.env.SLACK_SIGNING_SECRET ?? '';
const botToken = process.env.SLACK_BOT_TOKEN ?? '';
const slackApiUrl = process.env.SLACK_API_URL;
const port = Number(process.env.PORT ?? 3000);

const app = new App({
  receiver: new HTTPReceiver({ signingSecret, endpoints: '/slack/events' }),
  authorize: async () => ({ botToken }),
  ...(slackApiUrl ? { clientOptions: { slackApiUrl } } : {}),
});

app.command('/addcontact', async ({ ack, client, command }) => {
  await ack();
  await client.views.open({
    trigger_id: command.trigger_id,
    view: {
      type: 'modal',
      callback_id: 'add_contact',
      title: { type: 'plain_text', text: 'Add contact' },
      submit: { type: 'plain_text', text: 'Create' },
      blocks: [
        {
          type: 'input',
          block_id: 'phone_number',
          label: { type: 'plain_text', text: 'Phone number' },
          element: { type: 'plain_text_input', action_id: 'phone_number' },
        },
      ],
    },
  });
});

await app.start(port);
process.stdout.write('bench-bare-bolt-ready\n');
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.once(signal, () => void app.stop().finally(() => process.exit(0)));
}
