import { describe, expect, it } from 'vitest';
import { readStepInputs } from '../../src/slack/contact-step.js';

describe('readStepInputs', () => {
  const base = { first_name: 'Priya', last_name: 'Natarajan', phone_number: '+91 99887 76655' };

  it('reads a salutation in any case, with or without its dot, and leaves others for the contact check', () => {
    for (const [given, read] of [
      ['MRS', 'Mrs'],
      ['dr.', 'Dr'],
      [' Ms ', 'Ms'],
      ['Sir', 'Sir'],
    ]) {
      const result = readStepInputs({ ...base, salutation: given }, 'IN');
      expect(result.ok && result.input.salutation, given).toBe(read);
    }
  });

  it('reads the country by ISO code in any case, and takes the default when it is blank', () => {
    expect(readStepInputs({ ...base, country: 'gb' }, 'IN')).toMatchObject({ ok: true, input: { country: 'GB' } });
    expect(readStepInputs({ ...base, country: '  ' }, 'IN')).toMatchObject({ ok: true, input: { country: 'IN' } });
    expect(readStepInputs({ ...base, country: 'India' }, 'IN')).toEqual({
      ok: false,
      errors: { country: 'Use a two-letter ISO country code, e.g. IN or GB.' },
    });
  });

  it('refuses a value longer than the form lets a person type, before reading it', () => {
    const result = readStepInputs({ ...base, phone_number: `+91 ${'9'.repeat(100_000)}`, last_name: 'x'.repeat(81) }, 'IN');
    expect(result).toEqual({
      ok: false,
      errors: { phone_number: 'Keep it under 40 characters.', last_name: 'Keep it under 80 characters.' },
    });
  });

  it('takes requested_by as a Slack user ID, and refuses anything else', () => {
    expect(readStepInputs({ ...base, requested_by: 'W012AB3CDE' }, 'IN')).toMatchObject({ ok: true, requestedBy: 'W012AB3CDE' });
    expect(readStepInputs({ ...base, requested_by: '<!channel>' }, 'IN')).toEqual({
      ok: false,
      errors: { requested_by: 'Use a Slack user ID, e.g. U012AB3CDE.' },
    });
  });

  it('reads a value that is not text, or only spaces, as missing', () => {
    const result = readStepInputs({ first_name: 42, last_name: '   ', phone_number: null, extension: ['1'] }, 'IN');
    expect(result).toEqual({
      ok: true,
      input: { salutation: undefined, firstName: undefined, lastName: undefined, phone: undefined, extension: undefined, country: 'IN' },
    });
  });
});
