import { describe, expect, it } from 'vitest';
import { readArguments, UsageError } from '../src/cli-args.js';

/** The message of the `UsageError` these arguments raise. */
function refusal(argv: string[]): string {
  try {
    readArguments(argv);
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    return (error as Error).message;
  }
  throw new Error(`${JSON.stringify(argv)} was accepted`);
}

describe('readArguments', () => {
  it.each([
    [['--help'], { command: 'help' }],
    [['-h'], { command: 'help' }],
    [['history', '-h'], { command: 'help' }],
    [['history'], { command: 'history', limit: 20 }],
    [['history', '--limit', '5'], { command: 'history', limit: 5 }],
    [['history', '--limit=1000'], { command: 'history', limit: 1000 }],
    [['add', 'Mr Arjun Mehta +91 98765 43210'], { command: 'add', text: 'Mr Arjun Mehta +91 98765 43210' }],
    [['add', 'Arjun', 'Mehta', '98765 43210'], { command: 'add', text: 'Arjun Mehta 98765 43210' }],
    [['add', 'Kavya Iyer 098765-43210', '--country', 'IN'], { command: 'add', text: 'Kavya Iyer 098765-43210', country: 'IN' }],
    [['add', 'x', '--country', 'gb'], { command: 'add', text: 'x', country: 'GB' }],
    [['add', 'x', '--country', '+44'], { command: 'add', text: 'x', country: 'GB' }],
    [['add', 'x', '--country', '91'], { command: 'add', text: 'x', country: 'IN' }],
    [['add', 'x', '--country', 'India'], { command: 'add', text: 'x', country: 'IN' }],
    [['add', 'x', '--country', 'united kingdom'], { command: 'add', text: 'x', country: 'GB' }],
    [['edit', '12', 'Mr Arjun', 'Mehta +91 98765 43211'], { command: 'edit', requestId: 12, text: 'Mr Arjun Mehta +91 98765 43211' }],
    [['edit', '#12', 'x', '--country', 'gb'], { command: 'edit', requestId: 12, text: 'x', country: 'GB' }],
    [['delete', '7'], { command: 'delete', requestId: 7 }],
  ])('reads %j', (argv, request) => {
    expect(readArguments(argv)).toEqual(request);
  });

  it.each([
    [['--country', 'XX', 'add', 'x'], /^--country "XX" is not a country I know: use an ISO code such as GB or IN/],
    [['add', 'x', '--country', 'Narnia'], /^--country "Narnia" is not a country I know/],
    [['add', 'x', '--country', '+800'], /^--country "\+800" is not a country I know/],
    [['add', 'x', '--country', 'Germ'], /did you mean DE for Germany\?/],
    [['add', 'x', '--country'], /^Option '--country <value>' argument missing$/],
    [['history', '--limit', 'abc'], /^--limit must be a whole number from 1 to 1000, not "abc"$/],
    [['history', '--limit', '0'], /^--limit must be a whole number from 1 to 1000, not "0"$/],
    [['history', '--limit', '2.5'], /^--limit must be a whole number/],
    [['history', '--limit', '1001'], /^--limit must be a whole number/],
    [['history', '--limit', '-3'], /--limit/],
    [['history', 'extra'], /^history takes no arguments, but was given "extra"$/],
    [['history', '--country', 'IN'], /^--country is for add and edit, not history$/],
    [['delete', '7', '--country', 'IN'], /^--country is for add and edit, not delete$/],
    [['delete', '7', '--limit', '2'], /^--limit is for history, not delete$/],
    [['delete'], /^delete needs a request id \(a number, as history shows it\), not ""$/],
    [['delete', '7', '8'], /^delete takes one request id, but was also given "8"$/],
    [['delete', '1e3'], /^delete needs a request id/],
    [['delete', '0'], /^delete needs a request id/],
    [['edit', '12'], /^edit needs a request id and the contact/],
    [['edit', 'abc', 'Mr Arjun Mehta'], /^edit needs a request id \(a number, as history shows it\), not "abc"$/],
    [['add', 'x', '--limit', '3'], /^--limit is for history, not add$/],
    [['add'], /^add needs the contact/],
    [['add', '  '], /^add needs the contact/],
    [['remove', 'everything'], /^unknown command "remove": use add, edit, delete or history$/],
    [[], /^say what to do: add, edit, delete or history$/],
    [['history', '--verbose'], /^Unknown option '--verbose'$/],
    [['history', '-x'], /^Unknown option '-x'$/],
  ])('refuses %j, naming what is wrong', (argv, message) => {
    expect(refusal(argv)).toMatch(message);
  });
});
