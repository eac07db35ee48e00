import type { types, webApi } from '@slack/bolt';
import { readHome } from '../audit/home.js';
import type { RequestRow } from '../audit/requests.js';
import type { Db } from '../database.js';
import type { Log } from '../log.js';
import type { Permissions } from '../permissions.js';
import { homeView, notAllowedHomeView, type HomeSettings } from './views/home.js';

/** What a user's App Home is read from. */
export interface HomeDeps extends HomeSettings {
  db: Db;
  permissions: Permissions;
}

/** A user's App Home as it stands now; nothing is read for a user who may not create contacts. */
export async function currentHome(deps: HomeDeps, userId: string): Promise<types.HomeView> {
  if (!deps.permissions.mayCreateContacts(userId)) return notAllowedHomeView();
  return homeView(await readHome(deps.db, userId, deps.permissions.isAdmin(userId)), deps);
}

/** Publishes a user's App Home again, after something it shows changed. */
export interface HomeRefresher {
  /** After one of the user's requests settled (not the CLI's, nor an import's row: its progress message refreshes it). */
  (row: RequestRow): Promise<void>;
  /** After anything else the home shows changed for `userId`: an import's progress. */
  user(userId: string): Promise<void>;
}

/**
 * Publishes the App Home of a user again, once one of their requests has settled or their import's progress moved, so
 * it shows the outcome. Best effort: a failure is logged and nothing else waits on it. Changes for one user that come
 * together (a batch) cost one more publish at most, not one each: while a user's home is being published, the next
 * ones wait and become one.
 */
export function homeRefresher(opts: { client: webApi.WebClient; home(userId: string): Promise<types.HomeView>; log: Log }): HomeRefresher {
  const publishing = new Map<string, { again: boolean }>();

  async function publish(userId: string): Promise<void> {
    try {
      await opts.client.views.publish({ user_id: userId, view: await opts.home(userId) });
    } catch (error) {
      opts.log.warn({ user: userId, err: error }, 'could not refresh the App Home');
    }
  }

  async function refreshUser(userId: string): Promise<void> {
    const current = publishing.get(userId);
    if (current) {
      current.again = true;
      return;
    }
    const state = { again: true };
    publishing.set(userId, state);
    try {
      while (state.again) {
        state.again = false;
        await publish(userId);
      }
    } finally {
      publishing.delete(userId);
    }
  }

  const refreshRequest = async (row: RequestRow): Promise<void> => {
    // A request from the CLI was made by a terminal user, who has no App Home; an import's progress refreshes its own.
    if (row.reply.kind === 'cli' || row.reply.kind === 'import') return;
    await refreshUser(row.userId);
  };
  return Object.assign(refreshRequest, { user: refreshUser });
}
