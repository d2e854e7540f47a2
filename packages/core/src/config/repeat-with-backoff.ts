// Moved to the adapter toolkit (`@kratos/core/adapter`); kept here so existing imports still work.
export { pause, type RepeatWithBackoffOptions, repeatWithBackoff } from '../watch/backoff.ts';
