export type { Redactor } from './redactor';
export type { SecretMatch } from './detector';
export { createRedactor } from './secretRedactor';
export type { RedactorOptions, SecretRedactor } from './secretRedactor';
export { redactDeep } from './redactDeep';
export {
  DYNAMIC_SECRET_KIND,
  MIN_DYNAMIC_SECRET_LENGTH,
  SECRET_ENV_NAME,
  WELL_KNOWN_SECRET_ENV_VARS,
  dynamicSecretForms,
  secretValuesFromEnv,
} from './dynamicSecrets';
export { CUSTOM_KIND, catastrophicReason, compileUserPatterns } from './userPatterns';
export { builtInKinds } from './patterns';
