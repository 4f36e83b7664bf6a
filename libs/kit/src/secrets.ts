/** What counts as a secret, shared by the logger's redaction and config error messages. */

export const SECRET_KEYS = [
  'api_key',
  'apiKey',
  'password',
  'passwd',
  'secret',
  'token',
  'access_token',
  'accessToken',
  'refresh_token',
  'refreshToken',
  'jwt_token',
  'authorization',
  'cookie',
  'credentials',
  'encryption_key',
] as const;

/** Environment variable names whose values are never echoed back. */
export const SECRET_ENV_NAME = /SECRET|PASSWORD|TOKEN|KEY|CREDENTIAL/i;

/** Masks the password of a connection URL (`redis://u:p@h` → `redis://u:***@h`). */
export function redactUrl(url: string): string {
  return url.replace(/(\/\/[^:/@\s]+:)[^@/\s]+@/g, '$1***@');
}
