/** PixVerse ErrCodes the simulator can answer, with messages in the provider's style. */
export const ERR = {
  OK: 0,
  EMPTY_PARAM: 400011,
  INVALID_ACCOUNT: 400012,
  BAD_TYPE: 400013,
  INVALID_PARAM: 400017,
  PROMPT_TOO_LONG: 400018,
  NEGATIVE_PROMPT_TOO_LONG: 400019,
  INVALID_IMAGE_ID: 400032,
  NO_PERMISSION: 500020,
  TOO_MANY_CONCURRENT: 500044,
  UPLOAD_MODERATION: 500052,
  IMAGE_MODERATION: 500054,
  MODERATION: 500063,
  HIGH_LOAD: 500069,
  INSUFFICIENT_BALANCE: 500090,
  INTERNAL: 500100,
  UNKNOWN: 99999,
} as const;

const MESSAGES: Record<number, string> = {
  0: 'success',
  400011: 'Empty parameter',
  400012: 'invalid account',
  400013: 'Invalid binding request: incorrect parameter type or value',
  400017: 'Invalid parameter',
  400018: 'The length of prompt exceeds the maximum limit of 2048 characters',
  400019: 'The length of negative prompt exceeds the maximum limit of 2048 characters',
  400032: 'Invalid image ID',
  500020: 'No permission',
  500044: 'Reached the limit for concurrent generations',
  500052: 'The uploaded image did not pass content moderation',
  500054: 'Image moderation failed',
  500063: 'The provided prompt, image or video did not pass content moderation',
  500069: 'The system is currently experiencing high load, please try again later',
  500090: 'Insufficient balance',
  500100: 'Internal server error',
  99999: 'Unknown error',
};

export function messageFor(code: number): string {
  return MESSAGES[code] ?? 'Unknown error';
}

export interface Envelope {
  ErrCode: number;
  ErrMsg: string;
  Resp: Record<string, unknown>;
}

export const ok = (resp: Record<string, unknown>): Envelope => ({ ErrCode: 0, ErrMsg: 'success', Resp: resp });

export const fail = (code: number, detail?: string): Envelope => ({
  ErrCode: code,
  ErrMsg: detail ? `${messageFor(code)}: ${detail}` : messageFor(code),
  Resp: {},
});

/** A business refusal carried up from validation or accounting to the route. */
export interface Refusal {
  code: number;
  detail?: string;
}
