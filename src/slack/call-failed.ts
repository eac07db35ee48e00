import { NoticeNotSent } from '../audit/outbox.js';

/**
 * Slack's answers that no later try changes: the message (or a step's outputs) is refused, the user, channel or step
 * execution is not there or has ended, or the token cannot post. Retrying them for a day only fills the log.
 */
const FINAL_ERRORS = new Set([
  'invalid_blocks',
  'invalid_blocks_format',
  'invalid_arguments',
  'msg_too_long',
  'no_text',
  'user_not_found',
  'user_disabled',
  'channel_not_found',
  'is_archived',
  'cannot_dm_bot',
  'not_authed',
  'invalid_auth',
  'account_inactive',
  'token_revoked',
  'token_expired',
  'missing_scope',
  'not_allowed_token_type',
  'execution_not_in_running_state',
  'function_execution_not_found',
  'parameter_validation_failed',
]);

/** A DM Slack refused, named (Slack's own `channel_not_found` says nothing of the method), with what it means for the next try. */
export function slackCallFailed(method: string, cause: unknown): NoticeNotSent {
  const error = cause as { code?: string; retryAfter?: number; data?: { error?: string } } | undefined;
  const how =
    error?.code === 'slack_webapi_rate_limited_error' && typeof error.retryAfter === 'number'
      ? { retryAfterMs: error.retryAfter * 1_000 }
      : { final: error?.code === 'slack_webapi_platform_error' && FINAL_ERRORS.has(error.data?.error ?? '') };
  return new NoticeNotSent(`${method}: ${cause instanceof Error ? cause.message : String(cause)}`, how, { cause });
}
