/** Where the contacts endpoint lives and who we are to it: the `KORE_*` settings, or the built-in emulator's. */
export interface KoreEndpoint {
  /** `https://…`, no trailing slash. */
  host: string;
  streamId: string;
  accountId: string;
  clientId: string;
  clientSecret: string;
  /** A fresh token per call, for apps with "Enforce JTI" on. */
  enforceJti: boolean;
}

/** Who we are to an endpoint, wherever it runs: what the emulator checks calls against. */
export type KoreIdentity = Omit<KoreEndpoint, 'host'>;

/** The built-in emulator's identity when nothing else is set (`npm run emulator`, and the app without `KORE_HOST`). */
export const EMULATOR_IDENTITY: KoreIdentity = {
  streamId: 'st-emulator',
  accountId: 'emulator-account',
  clientId: 'cs-emulator',
  clientSecret: 'emulator-secret',
  enforceJti: false,
};
