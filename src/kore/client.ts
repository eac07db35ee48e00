import type { Contact, Phone } from '../contact/contact.js';
import type { KoreEndpoint } from './endpoint.js';
import { classifyAnswer, noAnswer, type Operation, type Outcome } from './outcome.js';
import { endpointRequest, type Call } from './request.js';

/** One contact as the endpoint's request body carries it. */
export interface KoreContactBody {
  firstName: string;
  lastName: string;
  salutation: string;
  cellPhone: { phoneNumber: string; countryCode: string; extension: string };
}

/** The parts of a contact the endpoint is sent. */
export type ContactToSend = Pick<Contact, 'salutation' | 'firstName' | 'lastName'> & {
  phone: Pick<Phone, 'nationalNumber' | 'countryCode' | 'extension'>;
};

/** The contacts endpoint's operations; each always resolves to an `Outcome`. */
export interface ContactsClient {
  /** `POST …/contacts`: several contacts in one call (an array). */
  create(contacts: readonly ContactToSend[]): Promise<Outcome>;
  /** `PUT …/contacts/{id}`: one contact object. */
  update(contactId: string, contact: ContactToSend): Promise<Outcome>;
  /** `DELETE …/contacts/{id}`: a soft delete, answered with the contact now inactive. */
  remove(contactId: string): Promise<Outcome>;
}

/** Builds the request body for one contact, as docs/contacts-endpoint.md describes it. */
export function contactBody(contact: ContactToSend, defaultExtension: string): KoreContactBody {
  return {
    firstName: contact.firstName,
    lastName: contact.lastName,
    salutation: contact.salutation ?? '',
    cellPhone: {
      phoneNumber: contact.phone.nationalNumber,
      countryCode: contact.phone.countryCode,
      extension: contact.phone.extension ?? defaultExtension,
    },
  };
}

/** A client for the contacts endpoint, each call within `timeoutMs`. */
export function koreClient(endpoint: KoreEndpoint, opts: { defaultExtension: string; timeoutMs?: number }): ContactsClient {
  const request = endpointRequest(endpoint, { timeoutMs: opts.timeoutMs });
  const body = (contact: ContactToSend) => contactBody(contact, opts.defaultExtension);
  const call = async (operation: Operation, what: Call): Promise<Outcome> => {
    const answer = await request(what);
    return answer.answered ? classifyAnswer(operation, answer.status, answer.body, answer.retryAfter) : noAnswer(answer);
  };
  const one = (contactId: string) => `/${encodeURIComponent(contactId)}`;
  return {
    create: (contacts) => call('create', { method: 'POST', body: contacts.map(body) }),
    update: (contactId, contact) => call('update', { method: 'PUT', path: one(contactId), body: body(contact) }),
    remove: (contactId) => call('delete', { method: 'DELETE', path: one(contactId) }),
  };
}
