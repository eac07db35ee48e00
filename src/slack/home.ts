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

/**
 * Publishes the App Home of the user who made a request again, once it has settled, so it shows the outcome. Best
 * effort: a failure is logged and nothing else waits on it. The requests of one user settled together (a batch) cost
 * one more publish at most, not one each: while a user's home is being published, the next ones wait and become one.
 */
export function homeRefresher(opts: {
  client: webApi.WebClient;
  home(userId: string): Promise<types.HomeView>;
  log: Log;
}): (row: RequestRow) => Promise<void> {
  const publishing = new Map<string, { again: boolean }>();

  async function publish(userId: string): Promise<void> {
    try {
      await opts.client.views.publish({ user_id: userId, view: await opts.home(userId) });
    } catch (error) {
      opts.log.warn({ user: userId, err: error }, 'could not refresh the App Home');
    }
  }

  return async (row) => {
    // A request from the CLI was made by a terminal user, who has no App Home; an import's progress refreshes its own.
    if (row.reply.kind === 'cli' || row.reply.kind === 'import') return;
    const current = publishing.get(row.userId);
    if (current) {
      current.again = true;
      return;
    }
    const state = { again: true };
    publishing.set(row.userId, state);
    try {
      while (state.again) {
        state.again = false;
        await publish(row.userId);
      }
    } finally {
      publishing.delete(row.userId);
    }
  };
}
