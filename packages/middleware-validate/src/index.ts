export {
  MESSAGE_VIOLATION_KEY,
  VALIDATOR_REASON,
  type ValidateOptions,
  validate,
  violationsError,
} from './validate.ts';
