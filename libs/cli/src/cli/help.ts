export const USAGE = `pixsim — talk to a running pixsim gateway

usage:
  pixsim submit "a prompt" [--model v5] [--quality 540p] [--duration 5] [--aspect 16:9]
                [--image-url URL] [--priority N] [--seed N] [--negative-prompt TEXT]
                [--callback-url URL] [--wait [--timeout SECONDS]]
      Queue a generation and print its job id. --callback-url: the gateway POSTs the final
      view there (README, Callbacks). --wait follows it to the end and prints
      the video URL (exit 0) or the error (exit 1). Unset options take PixVerse's defaults.
  pixsim jobs [--status PENDING|PROCESSING|COMPLETED|FAILED|CANCELLED] [--limit N] [--json]
      Recent jobs, newest first.
  pixsim job ID [--wait [--timeout SECONDS]] [--json]
      One job: status, error, times and the video URL. --wait follows it to the end, as
      submit --wait does (exit 0 on COMPLETED, 1 otherwise).
  pixsim cancel ID
      Cancels a job that has not ended (a job that has is a 409).
  pixsim resubmit ID [--wait [--timeout SECONDS]]
      Submits a job's request again as a new job and prints its id: how a FAILED or
      CANCELLED job is tried again (one still running is refused).
  pixsim accounts [--status ACTIVE|EXHAUSTED|RATE_LIMITED|ERROR|DISABLED] [--limit N] [--json]
      Provider accounts: status (and cooldown), credits, jobs in flight of the maximum,
      priority, totals, last use. Where to look when jobs wait for an account.
  pixsim accounts add (--api-key KEY | --api-key-stdin) [--nickname NAME] [--email E]
                      [--max-concurrent N] [--priority 0-100] [--provider pixverse]
      Adds a provider account (admin). --api-key-stdin reads the key from standard input,
      so it stays out of the shell's history. Prints the new account's id.
  pixsim callbacks [--state pending|delivered|failed] [--limit N] [--json]
      Every client's callbacks (admin), newest first: whose, where, how many attempts and
      the last answer. Where to look when PixsimCallbacksFailing fires.
  pixsim callbacks resend [--ids JOB,JOB | --count N]
      Sends given-up callbacks again with fresh attempts (the oldest up to 1000, unless
      --ids or --count), once the receiver answers again.
  pixsim users [--q EMAIL-PREFIX] [--limit N] [--json]
      Users (admin), newest first: role, locked out or not, and their quotas' usage.
  pixsim users create EMAIL [--role user|admin]
      Creates a user (when registration is closed); prints its id and a generated password once.
  pixsim users disable ID [--cancel-jobs] | pixsim users enable ID
      Locks a user out (every session and API key answers 401 at once), optionally
      cancelling their waiting jobs; enable lets them back.
  pixsim users quota ID [--max-active N] [--jobs-per-day N] [--credits-per-day N]
      Per-user quota overrides; 'default' puts a limit back to the operator's default.
  pixsim streams [--redis URL] [--prefix P] [--json]
      Length, lag, pending and dead letters per stream and consumer group. Reads Redis
      directly with --redis, or when the gateway cannot be reached.
  pixsim dlq [TYPE [--limit N]] [--json] [--redis URL] [--prefix P]
      Without TYPE, which streams hold dead letters and how many; with TYPE (JOB_CREATED,
      …), the oldest of them, each with the group that gave up on it and why.
  pixsim dlq replay TYPE [--ids ID,ID | --count N] [--redis URL] [--prefix P]
      Puts dead letters back on their stream (all of TYPE's, up to 1000, unless --ids or
      --count); every group handles them again. Fix the cause first.

every command:
  --url URL      the gateway (PIXSIM_URL; else what \`npm start\` wrote to .pixsim/gateway.url;
                 else http://127.0.0.1:8000)
  --token TOKEN  a bearer token (PIXSIM_TOKEN; else .pixsim/admin.token from \`npm start\`)

exit codes: 0 success, 1 failure (a failed or cancelled job, an error answer), 2 bad usage.
`;
