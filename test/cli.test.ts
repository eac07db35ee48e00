import { userInfo } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loopback, reply, type Loopback } from './kore/loopback.js';
import { pgliteFolder, testTargets } from './support/databases.js';
import { runScript, type Run } from './support/run.js';

/** Runs `npm run cli -- …` as a user would, with only `env` as its settings. */
function cli(args: string[], env: Record<string, string>): Promise<Run> {
  return runScript('src/cli.ts', args, env);
}

const me = `cli:${userInfo().username}`;

describe.each(testTargets())('the CLI on $name', (target) => {
  let env: Record<string, string>;
  let dispose: () => Promise<void>;
  let contactId: string | undefined;

  beforeAll(async () => {
    if (target.name === 'pglite') {
      // PGlite is single-process: the children open the folder, so this process must not hold it open.
      const folder = pgliteFolder();
      env = { PGLITE_DIR: folder.dir };
      dispose = async () => folder.remove();
    } else {
      const database = await target.open();
      env = database.env;
      dispose = () => database.close();
    }
  });
  afterAll(() => dispose?.());

  it('adds a contact and prints its ID and number', async () => {
    const run = await cli(['add', 'Mr Arjun Mehta +91 98765 43210'], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Contact created');
    expect(run.stdout).toContain('Mr Arjun Mehta · +91 98765 43210');
    contactId = /Contact ID: (c-[\w-]+)/.exec(run.stdout)?.[1];
    expect(contactId).toBeDefined();
    expect(run.stderr).toContain('BUILT-IN EMULATOR');
    expect(run.stderr).not.toContain('+919876543210');
  });

  it('refuses the same number written another way, saying who created it', async () => {
    const run = await cli(['add', 'Mrs Kavya Iyer 098765-43210', '--country', 'IN'], env);
    expect(run.code, run.stderr).toBe(1);
    expect(run.stdout).toContain('That number is already a contact');
    expect(run.stdout).toContain('+91 98765 43210 already belongs to a contact, so Mrs Kavya Iyer was not created.');
    expect(run.stdout).toMatch(new RegExp(`created through this app by ${me} on \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC`));
  });

  it('names each problem with what was typed and records nothing', async () => {
    const run = await cli(['add', 'Bob 12'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('Not created: "Bob 12"');
    expect(run.stderr).toMatch(/^ {2}lastName: Enter a name\.$/m);
    expect(run.stderr).toMatch(/^ {2}phone: That number is too short for United States \(US\)/m);
    expect(run.stdout).toBe('');
  });

  it('says how to choose another country when the number does not fit the default one, and records nothing', async () => {
    const run = await cli(['add', 'Mr Ravi Shankar 020 7946 0958'], env);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(
      /^ {2}phone: That number is too long for United States \(US\)\. Check for extra digits\. For another country, use --country GB or type the number with \+44\.$/m,
    );
    expect(run.stdout).toBe('');
  });

  it('lists the requests, newest first, with their statuses', async () => {
    const run = await cli(['history'], env);
    expect(run.code, run.stderr).toBe(0);
    const lines = run.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(new RegExp(`^#2 .* cli {2}${me} {2}create {2}duplicate +Mrs Kavya Iyer {2}\\+91 98765 43210$`));
    expect(lines[1]).toMatch(new RegExp(`^#1 .* cli {2}${me} {2}create {2}created +Mr Arjun Mehta {2}\\+91 98765 43210 {2}${contactId}$`));
  });

  describe('when the endpoint is not answering', () => {
    let endpoint: Loopback;
    beforeAll(async () => {
      endpoint = await loopback(reply(503, 'Service Unavailable', { 'retry-after': '30' }));
    });
    afterAll(() => endpoint?.close());

    it('says the contact is queued and exits 75', async () => {
      const kore = {
        KORE_HOST: endpoint.url,
        KORE_STREAM_ID: 'st-cli',
        KORE_ACCOUNT_ID: 'acc-cli',
        KORE_CLIENT_ID: 'cs-cli',
        KORE_CLIENT_SECRET: 'cli-test-secret-0123456789',
      };
      const run = await cli(['add', 'Dr Priya Natarajan +91 99887 76655'], { ...env, ...kore });
      expect(run.code, run.stderr).toBe(75);
      expect(run.stdout).toContain('Your contact is queued');
      expect(run.stdout).toContain('Dr Priya Natarajan (+91 99887 76655) will be sent again automatically');
      expect(endpoint.received).toHaveLength(1);
      const history = await cli(['history', '--limit', '1'], env);
      expect(history.stdout).toMatch(/^#3 .* create {2}pending +Dr Priya Natarajan {2}\+91 99887 76655\n$/);
    });
  });

  describe("when the endpoint answers with the account's rate limit", () => {
    let endpoint: Loopback;
    let kore: Record<string, string>;
    beforeAll(async () => {
      endpoint = await loopback(reply(429, { errors: [{ msg: 'Rate limit for this API has been reached' }] }, { 'retry-after': '30' }));
      kore = {
        KORE_HOST: endpoint.url,
        KORE_STREAM_ID: 'st-cli',
        KORE_ACCOUNT_ID: 'acc-cli-limited',
        KORE_CLIENT_ID: 'cs-cli',
        KORE_CLIENT_SECRET: 'cli-test-secret-0123456789',
      };
    });
    afterAll(() => endpoint?.close());

    it('says the limit is reached and about when the contact will be sent, and exits 75', async () => {
      const run = await cli(['add', 'Ms Leela Rao +91 99887 76656'], { ...env, ...kore });
      expect(run.code, run.stderr).toBe(75);
      expect(run.stdout).toMatch(
        /per-minute limit is reached \(it is shared with other integrations on the account\), so Ms Leela Rao \(\+91 99887 76656\) will be sent in about (20|30) s\./,
      );
    });

    it('then waits for the budget without calling, saying about how long and how many are ahead', async () => {
      const calls = endpoint.received.length;
      const run = await cli(['add', 'Mr Vikram Das +91 99887 76657'], { ...env, ...kore });
      expect(run.code, run.stderr).toBe(75);
      expect(run.stdout).toMatch(
        /per-minute limit is reached, so Mr Vikram Das \(\+91 99887 76657\) will be sent in about (10|20|30) s: (yours is next|\d+ contacts? (is|are) ahead of yours)\./,
      );
      expect(endpoint.received).toHaveLength(calls);
    });
  });

  describe('changing the contact it created', () => {
    it('edits it: an update of the same contact ID, with the new values', async () => {
      const run = await cli(['edit', '1', 'Mr Arjun Mehta +91 98765 43299'], env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('Contact updated');
      expect(run.stdout).toContain('Mr Arjun Mehta · +91 98765 43299');
      expect(run.stdout).toContain(`Contact ID: ${contactId}`);
    });

    it('sends nothing for an edit to the values it has now, nor for a request that made no contact', async () => {
      const same = await cli(['edit', '#1', 'Mr Arjun Mehta 098765 43299', '--country', 'IN'], env);
      expect(same.code).toBe(2);
      expect(same.stderr).toContain('Not changed: "Mr Arjun Mehta 098765 43299"\n  it is what the contact already has');
      const duplicate = await cli(['edit', '2', 'Mrs Kavya Iyer +91 98765 43298'], env);
      expect(duplicate.code).toBe(2);
      expect(duplicate.stderr).toContain('contact-bot: That request did not make a contact, so there is nothing to be edited.');
      const unknown = await cli(['delete', '999'], env);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toContain('contact-bot: That is not a request this app knows, so nothing was done.');
    });

    it('deletes it, once', async () => {
      const run = await cli(['delete', '1'], env);
      expect(run.code, run.stderr).toBe(0);
      expect(run.stdout).toContain('Contact deleted');
      expect(run.stdout).toContain(`Contact ID: ${contactId}`);
      const again = await cli(['edit', '1', 'Mr Arjun Mehta +91 98765 43297'], env);
      expect(again.code).toBe(2);
      expect(again.stderr).toContain('That contact was deleted, so it cannot be edited.');
    });

    it('lists the update and the delete with the contact they changed', async () => {
      const lines = (await cli(['history', '--limit', '2'], env)).stdout.trimEnd().split('\n');
      expect(lines[0]).toMatch(
        new RegExp(`^#\\d+ .* cli {2}${me} {2}delete {2}deleted +Mr Arjun Mehta {2}\\+91 98765 43299 {2}${contactId}$`),
      );
      expect(lines[1]).toMatch(
        new RegExp(`^#\\d+ .* cli {2}${me} {2}update {2}updated +Mr Arjun Mehta {2}\\+91 98765 43299 {2}${contactId}$`),
      );
    });
  });
});

describe('the CLI without a database', () => {
  it.each([['--help'], ['-h']])('prints its usage for %s and exits 0', async (flag) => {
    const run = await cli([flag], {});
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^usage:\n/);
    expect(run.stdout).toContain('exit codes: 0 created, updated or deleted; 1 refused');
    expect(run.stderr).toBe('');
  });

  it.each([
    [['remove', 'everything'], 'unknown command "remove"'],
    [['history', '--verbose'], "Unknown option '--verbose'"],
    [['history', 'extra'], 'history takes no arguments, but was given "extra"'],
    [['history', '--limit', 'abc'], '--limit must be a whole number from 1 to 1000, not "abc"'],
    [['add', 'Anil Kumar 98765 43220', '--country', 'XX'], '--country "XX" is not a country I know'],
    [['edit', 'x1', 'Anil Kumar 98765 43220'], 'edit needs a request id (a number, as history shows it), not "x1"'],
  ])('exits 2 for %j, saying what is wrong, before touching any settings or database', async (argv, message) => {
    const run = await cli(argv, { DEFAULT_COUNTRY: 'Narnia' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`contact-bot: ${message}`);
    expect(run.stderr).toContain('npm run cli -- --help');
    expect(run.stdout).toBe('');
  });

  it('says the database cannot be reached, naming its host and not its password, and exits 70', async () => {
    const run = await cli(['history'], { DATABASE_URL: 'postgres://bot:s3cret-pw@127.0.0.1:1/contacts' });
    expect(run.code).toBe(70);
    expect(run.stderr).toMatch(
      /^contact-bot: could not run: the database at 127\.0\.0\.1:1 \(DATABASE_URL\) is not reachable: .*ECONNREFUSED/m,
    );
    expect(run.stderr).not.toContain('s3cret-pw');
  });

  it('stops on a bad setting with one line naming it, and no secret', async () => {
    const run = await cli(['history'], { DEFAULT_COUNTRY: 'XX', KORE_HOST: 'not-a-url', KORE_CLIENT_SECRET: 'sup3r-s3cret' });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('DEFAULT_COUNTRY: must be an ISO 3166-1 alpha-2 code such as US or IN');
    expect(run.stderr).toContain('KORE_HOST: must be an http(s) URL');
    expect(run.stderr).not.toContain('sup3r-s3cret');
    expect(run.stdout).toBe('');
  });
});
