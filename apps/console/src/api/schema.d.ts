/** Generated from the gateway's OpenAPI document by scripts/build.ts: do not edit. */
export interface paths {
  '/api/v1/auth/register': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** create a user */
    post: operations['register'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/login': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** get an access token */
    post: operations['login'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/webhooks/pixverse': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** PixVerse generation webhook (signed) */
    post: operations['receivePixverseWebhook'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/auth/logout': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** revoke this access token */
    post: operations['logout'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/users/me': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** the caller */
    get: operations['getCurrentUser'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/api-keys': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** the caller's active API keys */
    get: operations['listApiKeys'];
    put?: never;
    /** create an API key (shown once) */
    post: operations['createApiKey'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/api-keys/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    post?: never;
    /** revoke an API key */
    delete: operations['deleteApiKey'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/users/me/usage': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** the caller's quotas and what is used of them */
    get: operations['getCurrentUserUsage'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/users/me/callback-secret': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** the secret the caller's callbacks are signed with */
    get: operations['getCallbackSecret'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/users/me/callback-secret/rotate': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** a new callback secret; the old one still signs (a second v1=) until previous_valid_until */
    post: operations['rotateCallbackSecret'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/jobs/stats': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** job counts now and per minute over the last hour */
    get: operations['getJobStats'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/jobs/{id}/timeline': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** a job's events across the services */
    get: operations['getJobTimeline'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/jobs': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** list jobs, newest first */
    get: operations['listJobs'];
    put?: never;
    /** submit a job (200 when an Idempotency-Key names a job made earlier) */
    post: operations['createJob'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/jobs/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** one job */
    get: operations['getJob'];
    put?: never;
    post?: never;
    /** cancel a job (409 when it already ended) */
    delete: operations['cancelJob'];
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/jobs/{id}/callback': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** the job's callback: where, and how delivery went (404 before the job ends, or without one) */
    get: operations['getJobCallback'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/jobs/{id}/callback/resend': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** send the callback again, with a fresh set of attempts (409 while one is under way) */
    post: operations['resendJobCallback'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/jobs/{id}/events': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** live status changes (text/event-stream) */
    get: operations['streamJobEvents'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/assets': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** list assets, newest first */
    get: operations['listAssets'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/assets/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** one asset */
    get: operations['getAsset'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/accounts': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** list provider accounts (admin) */
    get: operations['listAccounts'];
    put?: never;
    /** add a provider account (admin) */
    post: operations['createAccount'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/accounts/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** one provider account (admin) */
    get: operations['getAccount'];
    put?: never;
    post?: never;
    /** delete an account (admin) */
    delete: operations['deleteAccount'];
    options?: never;
    head?: never;
    /** change an account (admin) */
    patch: operations['updateAccount'];
    trace?: never;
  };
  '/api/v1/accounts/{id}/credits': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** add credits (admin) */
    post: operations['topUpAccount'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/streams': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** stream, group and DLQ statistics (admin) */
    get: operations['listStreams'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/dlq/{type}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** dead-lettered entries of one event type, oldest first, with why (admin) */
    get: operations['listDeadLetters'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/dlq/{type}/replay': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** re-publish dead-lettered entries (admin) */
    post: operations['replayDeadLetters'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/users': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** users, newest first; q matches an email prefix or an id (admin) */
    get: operations['listUsers'];
    put?: never;
    /** create a user; without a password one is generated and shown once (admin) */
    post: operations['createUser'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/users/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** one user, with quotas and usage (admin) */
    get: operations['getUser'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** disable or enable, cancel waiting jobs, set the role or quota overrides (admin) */
    patch: operations['updateUser'];
    trace?: never;
  };
  '/api/v1/admin/callbacks': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** every client's callbacks, newest first, all or of one state (admin) */
    get: operations['listFailedCallbacks'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/api/v1/admin/callbacks/resend': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** send given-up callbacks again with fresh attempts: those of ids, or the oldest up to count (1000) (admin) */
    post: operations['resendFailedCallbacks'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: never;
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  register: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: email */
          email: string;
          password: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            email: string | null;
            /** @enum {string} */
            role: 'user' | 'admin';
            /** @description null for the admin token */
            created_at: string | null;
            disabled: boolean;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  login: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          email: string;
          password: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            access_token: string;
            /** @enum {string} */
            token_type: 'bearer';
            expires_in: number;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  receivePixverseWebhook: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': unknown;
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  logout: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description no content */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': null;
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  getCurrentUser: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            email: string | null;
            /** @enum {string} */
            role: 'user' | 'admin';
            /** @description null for the admin token */
            created_at: string | null;
            disabled: boolean;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  listApiKeys: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              name: string;
              prefix: string;
              /** @description ISO-8601 time */
              created_at: string;
            }[];
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  createApiKey: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          name: string;
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            name: string;
            prefix: string;
            /** @description ISO-8601 time */
            created_at: string;
            /** @description shown once */
            key: string;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  deleteApiKey: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description no content */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': null;
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  getCurrentUserUsage: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            max_active_jobs: {
              /** @description null: no limit */
              limit: number | null;
              used: number;
              /** @description null: frees when a job ends */
              resets_at: string | null;
            };
            jobs_per_day: {
              /** @description null: no limit */
              limit: number | null;
              used: number;
              /** @description null: frees when a job ends */
              resets_at: string | null;
            };
            credits_per_day: {
              /** @description null: no limit */
              limit: number | null;
              used: number;
              /** @description null: frees when a job ends */
              resets_at: string | null;
            };
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  getCallbackSecret: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description whsec_… */
            secret: string;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  rotateCallbackSecret: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            secret: string;
            /** @description deliveries carry both signatures until then */
            previous_valid_until: string;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  getJobStats: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description counts of the caller's jobs (everyone's for an admin) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            by_status: {
              PENDING: number;
              PROCESSING: number;
              COMPLETED: number;
              FAILED: number;
              CANCELLED: number;
            };
            /** @description the last hour, oldest first, one row per minute */
            per_minute: {
              /** @description YYYY-MM-DDTHH:MM, UTC */
              minute: string;
              created: number;
              completed: number;
              failed: number;
            }[];
            /** @description jobs that FAILED in the last hour, by error code, most first */
            failures_by_code: {
              error_code: string;
              count: number;
            }[];
            last_hour: {
              created: number;
              completed: number;
              failed: number;
              cancelled: number;
            };
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  getJobTimeline: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a job's events across the services, oldest first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            job_id: string;
            events: {
              event_id: string;
              /** @description JOB_CREATED, JOB_DEFERRED, JOB_SUBMITTED, JOB_COMPLETED, JOB_FAILED, ASSET_CREATED */
              type: string;
              /** @description ISO-8601 time */
              at: string;
              /** @description time spent in the hop that ended with this event */
              since_previous_ms: number | null;
              /** @enum {string} */
              service: 'gateway' | 'job-intake' | 'dispatcher' | 'poller' | 'asset';
              attempt: number | null;
              provider_job_id: string | null;
              /** @description admins only; null for users */
              account_id: string | null;
              error_code: string | null;
              error_message: string | null;
              /** @description what the error code means */
              error_explanation: string | null;
              detail: string | null;
            }[];
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  listJobs: {
    parameters: {
      query?: {
        status?: 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
        operation_type?: 'text_to_video' | 'image_to_video' | 'video_extend' | 'video_transition' | 'fusion';
        provider_id?: string;
        /** @description admin only: one user's jobs */
        user_id?: string;
        /** @description a job id (exact) or text of the prompt */
        q?: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              user_id: string;
              /** @enum {string} */
              operation_type: 'text_to_video' | 'image_to_video' | 'video_extend' | 'video_transition' | 'fusion';
              provider_id: string;
              /** @description as submitted, checked against the provider limits */
              params: {
                [key: string]: unknown;
              };
              priority: number;
              name: string | null;
              description: string | null;
              workspace_id: string | null;
              /** @description ISO-8601 time */
              scheduled_at: string | null;
              /** @description where the final view is POSTed (README, Callbacks) */
              callback_url: string | null;
              /** @enum {string} */
              status: 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
              /** @description e.g. waiting_for_account, scheduled, retry_backoff, generating */
              status_detail: string | null;
              /** @enum {string|null} */
              error_code:
                | 'INVALID_PARAMS'
                | 'PROVIDER_MODERATION'
                | 'PROVIDER_FAILED'
                | 'PROVIDER_DELETED'
                | 'PROVIDER_UNAVAILABLE'
                | 'PROVIDER_RATE_LIMITED'
                | 'ACCOUNT_EXHAUSTED'
                | 'ACCOUNT_INVALID'
                | 'TIMEOUT'
                | 'RETRIES_EXHAUSTED'
                | 'QUOTA_EXCEEDED'
                | 'CANCELLED_BY_USER'
                | 'INTERNAL'
                | null;
              error_message: string | null;
              retry_count: number;
              provider_job_id: string | null;
              /** @description set a moment after COMPLETED, with ASSET_CREATED */
              asset_id: string | null;
              /** @description ISO-8601 time */
              created_at: string;
              /** @description ISO-8601 time */
              started_at: string | null;
              /** @description ISO-8601 time */
              completed_at: string | null;
            }[];
            /** @description pass as ?cursor= for the next page */
            next_cursor: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  createJob: {
    parameters: {
      query?: never;
      header?: {
        /** @description same key + same body → the same job (200) */
        'idempotency-key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** @enum {string} */
          operation_type: 'text_to_video' | 'image_to_video' | 'video_extend' | 'video_transition' | 'fusion';
          /** @default pixverse */
          provider_id?: string;
          params: {
            prompt?: string;
            negative_prompt?: string;
            model?: string;
            quality?: string;
            duration?: number;
            aspect_ratio?: string;
            seed?: number;
            motion_mode?: string;
            style?: string;
            /** Format: uri */
            image_url?: string;
            /** Format: uri */
            video_url?: string;
          } & {
            [key: string]: (string | null) | (number | null) | (boolean | null);
          };
          /** @default 5 */
          priority?: number;
          /** @default null */
          name?: string | null;
          /** @default null */
          description?: string | null;
          /** @default null */
          workspace_id?: string | null;
          /**
           * Format: date-time
           * @default null
           */
          scheduled_at?: string | null;
          callback_url?: string;
        };
      };
    };
    responses: {
      /** @description a job */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            user_id: string;
            /** @enum {string} */
            operation_type: 'text_to_video' | 'image_to_video' | 'video_extend' | 'video_transition' | 'fusion';
            provider_id: string;
            /** @description as submitted, checked against the provider limits */
            params: {
              [key: string]: unknown;
            };
            priority: number;
            name: string | null;
            description: string | null;
            workspace_id: string | null;
            /** @description ISO-8601 time */
            scheduled_at: string | null;
            /** @description where the final view is POSTed (README, Callbacks) */
            callback_url: string | null;
            /** @enum {string} */
            status: 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
            /** @description e.g. waiting_for_account, scheduled, retry_backoff, generating */
            status_detail: string | null;
            /** @enum {string|null} */
            error_code:
              | 'INVALID_PARAMS'
              | 'PROVIDER_MODERATION'
              | 'PROVIDER_FAILED'
              | 'PROVIDER_DELETED'
              | 'PROVIDER_UNAVAILABLE'
              | 'PROVIDER_RATE_LIMITED'
              | 'ACCOUNT_EXHAUSTED'
              | 'ACCOUNT_INVALID'
              | 'TIMEOUT'
              | 'RETRIES_EXHAUSTED'
              | 'QUOTA_EXCEEDED'
              | 'CANCELLED_BY_USER'
              | 'INTERNAL'
              | null;
            error_message: string | null;
            retry_count: number;
            provider_job_id: string | null;
            /** @description set a moment after COMPLETED, with ASSET_CREATED */
            asset_id: string | null;
            /** @description ISO-8601 time */
            created_at: string;
            /** @description ISO-8601 time */
            started_at: string | null;
            /** @description ISO-8601 time */
            completed_at: string | null;
          };
        };
      };
      /** @description a job */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            user_id: string;
            /** @enum {string} */
            operation_type: 'text_to_video' | 'image_to_video' | 'video_extend' | 'video_transition' | 'fusion';
            provider_id: string;
            /** @description as submitted, checked against the provider limits */
            params: {
              [key: string]: unknown;
            };
            priority: number;
            name: string | null;
            description: string | null;
            workspace_id: string | null;
            /** @description ISO-8601 time */
            scheduled_at: string | null;
            /** @description where the final view is POSTed (README, Callbacks) */
            callback_url: string | null;
            /** @enum {string} */
            status: 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
            /** @description e.g. waiting_for_account, scheduled, retry_backoff, generating */
            status_detail: string | null;
            /** @enum {string|null} */
            error_code:
              | 'INVALID_PARAMS'
              | 'PROVIDER_MODERATION'
              | 'PROVIDER_FAILED'
              | 'PROVIDER_DELETED'
              | 'PROVIDER_UNAVAILABLE'
              | 'PROVIDER_RATE_LIMITED'
              | 'ACCOUNT_EXHAUSTED'
              | 'ACCOUNT_INVALID'
              | 'TIMEOUT'
              | 'RETRIES_EXHAUSTED'
              | 'QUOTA_EXCEEDED'
              | 'CANCELLED_BY_USER'
              | 'INTERNAL'
              | null;
            error_message: string | null;
            retry_count: number;
            provider_job_id: string | null;
            /** @description set a moment after COMPLETED, with ASSET_CREATED */
            asset_id: string | null;
            /** @description ISO-8601 time */
            created_at: string;
            /** @description ISO-8601 time */
            started_at: string | null;
            /** @description ISO-8601 time */
            completed_at: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  getJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a job */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            user_id: string;
            /** @enum {string} */
            operation_type: 'text_to_video' | 'image_to_video' | 'video_extend' | 'video_transition' | 'fusion';
            provider_id: string;
            /** @description as submitted, checked against the provider limits */
            params: {
              [key: string]: unknown;
            };
            priority: number;
            name: string | null;
            description: string | null;
            workspace_id: string | null;
            /** @description ISO-8601 time */
            scheduled_at: string | null;
            /** @description where the final view is POSTed (README, Callbacks) */
            callback_url: string | null;
            /** @enum {string} */
            status: 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
            /** @description e.g. waiting_for_account, scheduled, retry_backoff, generating */
            status_detail: string | null;
            /** @enum {string|null} */
            error_code:
              | 'INVALID_PARAMS'
              | 'PROVIDER_MODERATION'
              | 'PROVIDER_FAILED'
              | 'PROVIDER_DELETED'
              | 'PROVIDER_UNAVAILABLE'
              | 'PROVIDER_RATE_LIMITED'
              | 'ACCOUNT_EXHAUSTED'
              | 'ACCOUNT_INVALID'
              | 'TIMEOUT'
              | 'RETRIES_EXHAUSTED'
              | 'QUOTA_EXCEEDED'
              | 'CANCELLED_BY_USER'
              | 'INTERNAL'
              | null;
            error_message: string | null;
            retry_count: number;
            provider_job_id: string | null;
            /** @description set a moment after COMPLETED, with ASSET_CREATED */
            asset_id: string | null;
            /** @description ISO-8601 time */
            created_at: string;
            /** @description ISO-8601 time */
            started_at: string | null;
            /** @description ISO-8601 time */
            completed_at: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  cancelJob: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a job */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            user_id: string;
            /** @enum {string} */
            operation_type: 'text_to_video' | 'image_to_video' | 'video_extend' | 'video_transition' | 'fusion';
            provider_id: string;
            /** @description as submitted, checked against the provider limits */
            params: {
              [key: string]: unknown;
            };
            priority: number;
            name: string | null;
            description: string | null;
            workspace_id: string | null;
            /** @description ISO-8601 time */
            scheduled_at: string | null;
            /** @description where the final view is POSTed (README, Callbacks) */
            callback_url: string | null;
            /** @enum {string} */
            status: 'PENDING' | 'PROCESSING' | 'COMPLETED' | 'FAILED' | 'CANCELLED';
            /** @description e.g. waiting_for_account, scheduled, retry_backoff, generating */
            status_detail: string | null;
            /** @enum {string|null} */
            error_code:
              | 'INVALID_PARAMS'
              | 'PROVIDER_MODERATION'
              | 'PROVIDER_FAILED'
              | 'PROVIDER_DELETED'
              | 'PROVIDER_UNAVAILABLE'
              | 'PROVIDER_RATE_LIMITED'
              | 'ACCOUNT_EXHAUSTED'
              | 'ACCOUNT_INVALID'
              | 'TIMEOUT'
              | 'RETRIES_EXHAUSTED'
              | 'QUOTA_EXCEEDED'
              | 'CANCELLED_BY_USER'
              | 'INTERNAL'
              | null;
            error_message: string | null;
            retry_count: number;
            provider_job_id: string | null;
            /** @description set a moment after COMPLETED, with ASSET_CREATED */
            asset_id: string | null;
            /** @description ISO-8601 time */
            created_at: string;
            /** @description ISO-8601 time */
            started_at: string | null;
            /** @description ISO-8601 time */
            completed_at: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  getJobCallback: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a job's callback and how its delivery went */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            job_id: string;
            /** @description the job's owner */
            user_id: string | null;
            url: string;
            /** @enum {string} */
            event: 'job.completed' | 'job.failed' | 'job.cancelled';
            /** @enum {string} */
            state: 'pending' | 'delivered' | 'failed';
            attempts: number;
            /** @description while pending */
            next_attempt_at: string | null;
            last_status: number | null;
            last_error: string | null;
            /** @description ISO-8601 time */
            created_at: string;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  resendJobCallback: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a job's callback and how its delivery went */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            job_id: string;
            /** @description the job's owner */
            user_id: string | null;
            url: string;
            /** @enum {string} */
            event: 'job.completed' | 'job.failed' | 'job.cancelled';
            /** @enum {string} */
            state: 'pending' | 'delivered' | 'failed';
            attempts: number;
            /** @description while pending */
            next_attempt_at: string | null;
            last_status: number | null;
            last_error: string | null;
            /** @description ISO-8601 time */
            created_at: string;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  streamJobEvents: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description success */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': unknown;
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  listAssets: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              job_id: string;
              user_id: string;
              /** @enum {string} */
              media_type: 'video' | 'image';
              provider_id: string;
              provider_asset_id: string;
              /** Format: uri */
              remote_url: string;
              width: number | null;
              height: number | null;
              duration_sec: number | null;
              file_size_bytes: number | null;
              /** @description ISO-8601 time */
              created_at: string;
            }[];
            /** @description pass as ?cursor= for the next page */
            next_cursor: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  getAsset: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description an asset */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            job_id: string;
            user_id: string;
            /** @enum {string} */
            media_type: 'video' | 'image';
            provider_id: string;
            provider_asset_id: string;
            /** Format: uri */
            remote_url: string;
            width: number | null;
            height: number | null;
            duration_sec: number | null;
            file_size_bytes: number | null;
            /** @description ISO-8601 time */
            created_at: string;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  listAccounts: {
    parameters: {
      query?: {
        provider_id?: string;
        status?: 'ACTIVE' | 'EXHAUSTED' | 'RATE_LIMITED' | 'ERROR' | 'DISABLED';
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              provider_id: string;
              email: string | null;
              nickname: string | null;
              /** @enum {string} */
              status: 'ACTIVE' | 'EXHAUSTED' | 'RATE_LIMITED' | 'ERROR' | 'DISABLED';
              credits: number;
              /** @description ISO-8601 time */
              cooldown_until: string | null;
              max_concurrent_jobs: number;
              in_flight: number;
              priority: number;
              total_submitted: number;
              total_failed: number;
              /** @description ISO-8601 time */
              last_used: string | null;
              /** @description ISO-8601 time */
              created_at: string | null;
            }[];
            /** @description pass as ?cursor= for the next page */
            next_cursor: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  createAccount: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          provider_id: string;
          api_key: string;
          is_private?: boolean;
          /** Format: email */
          email?: string | null;
          nickname?: string | null;
          max_concurrent_jobs?: number;
          priority?: number;
        };
      };
    };
    responses: {
      /** @description a provider account (never its credentials) */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            provider_id: string;
            email: string | null;
            nickname: string | null;
            /** @enum {string} */
            status: 'ACTIVE' | 'EXHAUSTED' | 'RATE_LIMITED' | 'ERROR' | 'DISABLED';
            credits: number;
            /** @description ISO-8601 time */
            cooldown_until: string | null;
            max_concurrent_jobs: number;
            in_flight: number;
            priority: number;
            total_submitted: number;
            total_failed: number;
            /** @description ISO-8601 time */
            last_used: string | null;
            /** @description ISO-8601 time */
            created_at: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  getAccount: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a provider account (never its credentials) */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            provider_id: string;
            email: string | null;
            nickname: string | null;
            /** @enum {string} */
            status: 'ACTIVE' | 'EXHAUSTED' | 'RATE_LIMITED' | 'ERROR' | 'DISABLED';
            credits: number;
            /** @description ISO-8601 time */
            cooldown_until: string | null;
            max_concurrent_jobs: number;
            in_flight: number;
            priority: number;
            total_submitted: number;
            total_failed: number;
            /** @description ISO-8601 time */
            last_used: string | null;
            /** @description ISO-8601 time */
            created_at: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  deleteAccount: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description a provider account (never its credentials) */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            provider_id: string;
            email: string | null;
            nickname: string | null;
            /** @enum {string} */
            status: 'ACTIVE' | 'EXHAUSTED' | 'RATE_LIMITED' | 'ERROR' | 'DISABLED';
            credits: number;
            /** @description ISO-8601 time */
            cooldown_until: string | null;
            max_concurrent_jobs: number;
            in_flight: number;
            priority: number;
            total_submitted: number;
            total_failed: number;
            /** @description ISO-8601 time */
            last_used: string | null;
            /** @description ISO-8601 time */
            created_at: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  updateAccount: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: email */
          email?: string | null;
          nickname?: string | null;
          max_concurrent_jobs?: number;
          priority?: number;
          /** @enum {string} */
          status?: 'ACTIVE' | 'DISABLED';
          api_key?: string;
        };
      };
    };
    responses: {
      /** @description a provider account (never its credentials) */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            provider_id: string;
            email: string | null;
            nickname: string | null;
            /** @enum {string} */
            status: 'ACTIVE' | 'EXHAUSTED' | 'RATE_LIMITED' | 'ERROR' | 'DISABLED';
            credits: number;
            /** @description ISO-8601 time */
            cooldown_until: string | null;
            max_concurrent_jobs: number;
            in_flight: number;
            priority: number;
            total_submitted: number;
            total_failed: number;
            /** @description ISO-8601 time */
            last_used: string | null;
            /** @description ISO-8601 time */
            created_at: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  topUpAccount: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          credits: number;
        };
      };
    };
    responses: {
      /** @description a provider account (never its credentials) */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            provider_id: string;
            email: string | null;
            nickname: string | null;
            /** @enum {string} */
            status: 'ACTIVE' | 'EXHAUSTED' | 'RATE_LIMITED' | 'ERROR' | 'DISABLED';
            credits: number;
            /** @description ISO-8601 time */
            cooldown_until: string | null;
            max_concurrent_jobs: number;
            in_flight: number;
            priority: number;
            total_submitted: number;
            total_failed: number;
            /** @description ISO-8601 time */
            last_used: string | null;
            /** @description ISO-8601 time */
            created_at: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  listStreams: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            streams: {
              /** @enum {string} */
              type:
                | 'JOB_REQUESTED'
                | 'JOB_CREATED'
                | 'JOB_DEFERRED'
                | 'JOB_SUBMITTED'
                | 'JOB_COMPLETED'
                | 'JOB_FAILED'
                | 'JOB_CANCEL_REQUESTED'
                | 'ASSET_CREATED'
                | 'ACCOUNT_COMMAND'
                | 'ACCOUNT_UPDATED'
                | 'GENERATION_POKED';
              stream: string;
              length: number;
              dlq_length: number;
              /** @description stream partitions of the type (STREAM_PARTITIONS); figures are summed */
              partitions: number;
              /** @description a partition stream does not exist: its zero lag is no idle system */
              missing: boolean;
              /** @description a partition holds STREAM_MAX_LEN entries: publishes are refused */
              over_budget: boolean;
              groups: {
                group: string;
                consumers: number;
                lag: number | null;
                pending: number;
                oldest_pending_ms: number | null;
                /** @description the group does not exist (on some partition) */
                missing: boolean;
              }[];
            }[];
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  listDeadLetters: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path: {
        type:
          | 'JOB_REQUESTED'
          | 'JOB_CREATED'
          | 'JOB_DEFERRED'
          | 'JOB_SUBMITTED'
          | 'JOB_COMPLETED'
          | 'JOB_FAILED'
          | 'JOB_CANCEL_REQUESTED'
          | 'ASSET_CREATED'
          | 'ACCOUNT_COMMAND'
          | 'ACCOUNT_UPDATED'
          | 'GENERATION_POKED';
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            type:
              | 'JOB_REQUESTED'
              | 'JOB_CREATED'
              | 'JOB_DEFERRED'
              | 'JOB_SUBMITTED'
              | 'JOB_COMPLETED'
              | 'JOB_FAILED'
              | 'JOB_CANCEL_REQUESTED'
              | 'ASSET_CREATED'
              | 'ACCOUNT_COMMAND'
              | 'ACCOUNT_UPDATED'
              | 'GENERATION_POKED';
            items: {
              /** @description the dead letter id (pass to replay as ids) */
              id: string;
              event_id: string | null;
              event_type: string | null;
              group: string;
              consumer: string;
              code: string;
              reason: string;
              deliveries: number;
              source_id: string;
              /** @description ISO-8601 time */
              dead_at: string | null;
              /** @description the entry as it was */
              fields: {
                [key: string]: string;
              };
            }[];
            next_cursor: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  replayDeadLetters: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        type:
          | 'JOB_REQUESTED'
          | 'JOB_CREATED'
          | 'JOB_DEFERRED'
          | 'JOB_SUBMITTED'
          | 'JOB_COMPLETED'
          | 'JOB_FAILED'
          | 'JOB_CANCEL_REQUESTED'
          | 'ASSET_CREATED'
          | 'ACCOUNT_COMMAND'
          | 'ACCOUNT_UPDATED'
          | 'GENERATION_POKED';
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          ids?: string[];
          count?: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @enum {string} */
            type:
              | 'JOB_REQUESTED'
              | 'JOB_CREATED'
              | 'JOB_DEFERRED'
              | 'JOB_SUBMITTED'
              | 'JOB_COMPLETED'
              | 'JOB_FAILED'
              | 'JOB_CANCEL_REQUESTED'
              | 'ASSET_CREATED'
              | 'ACCOUNT_COMMAND'
              | 'ACCOUNT_UPDATED'
              | 'GENERATION_POKED';
            replayed: number;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  listUsers: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
        q?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              id: string;
              email: string;
              /** @enum {string} */
              role: 'user' | 'admin';
              disabled: boolean;
              /** @description ISO-8601 time */
              created_at: string;
              /** @description the effective limits; null = none */
              quota: {
                max_active_jobs: number | null;
                jobs_per_day: number | null;
                credits_per_day: number | null;
              };
              /** @description only the keys an admin set for this user */
              quota_overrides: {
                max_active_jobs?: number | null;
                jobs_per_day?: number | null;
                credits_per_day?: number | null;
              };
              usage: {
                max_active_jobs: {
                  /** @description null: no limit */
                  limit: number | null;
                  used: number;
                  /** @description null: frees when a job ends */
                  resets_at: string | null;
                };
                jobs_per_day: {
                  /** @description null: no limit */
                  limit: number | null;
                  used: number;
                  /** @description null: frees when a job ends */
                  resets_at: string | null;
                };
                credits_per_day: {
                  /** @description null: no limit */
                  limit: number | null;
                  used: number;
                  /** @description null: frees when a job ends */
                  resets_at: string | null;
                };
              };
            }[];
            next_cursor: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  createUser: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          /** Format: email */
          email: string;
          password?: string;
          /**
           * @default user
           * @enum {string}
           */
          role?: 'user' | 'admin';
        };
      };
    };
    responses: {
      /** @description Default Response */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            email: string;
            /** @enum {string} */
            role: 'user' | 'admin';
            disabled: boolean;
            /** @description ISO-8601 time */
            created_at: string;
            /** @description the effective limits; null = none */
            quota: {
              max_active_jobs: number | null;
              jobs_per_day: number | null;
              credits_per_day: number | null;
            };
            /** @description only the keys an admin set for this user */
            quota_overrides: {
              max_active_jobs?: number | null;
              jobs_per_day?: number | null;
              credits_per_day?: number | null;
            };
            usage: {
              max_active_jobs: {
                /** @description null: no limit */
                limit: number | null;
                used: number;
                /** @description null: frees when a job ends */
                resets_at: string | null;
              };
              jobs_per_day: {
                /** @description null: no limit */
                limit: number | null;
                used: number;
                /** @description null: frees when a job ends */
                resets_at: string | null;
              };
              credits_per_day: {
                /** @description null: no limit */
                limit: number | null;
                used: number;
                /** @description null: frees when a job ends */
                resets_at: string | null;
              };
            };
            /** @description only when generated: shown once */
            password?: string;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  getUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            email: string;
            /** @enum {string} */
            role: 'user' | 'admin';
            disabled: boolean;
            /** @description ISO-8601 time */
            created_at: string;
            /** @description the effective limits; null = none */
            quota: {
              max_active_jobs: number | null;
              jobs_per_day: number | null;
              credits_per_day: number | null;
            };
            /** @description only the keys an admin set for this user */
            quota_overrides: {
              max_active_jobs?: number | null;
              jobs_per_day?: number | null;
              credits_per_day?: number | null;
            };
            usage: {
              max_active_jobs: {
                /** @description null: no limit */
                limit: number | null;
                used: number;
                /** @description null: frees when a job ends */
                resets_at: string | null;
              };
              jobs_per_day: {
                /** @description null: no limit */
                limit: number | null;
                used: number;
                /** @description null: frees when a job ends */
                resets_at: string | null;
              };
              credits_per_day: {
                /** @description null: no limit */
                limit: number | null;
                used: number;
                /** @description null: frees when a job ends */
                resets_at: string | null;
              };
            };
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  updateUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        /** @description id */
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          disabled?: boolean;
          cancel_jobs?: boolean;
          /** @enum {string} */
          role?: 'user' | 'admin';
          quota?: {
            max_active_jobs?: number | null;
            jobs_per_day?: number | null;
            credits_per_day?: number | null;
          };
        };
      };
    };
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            id: string;
            email: string;
            /** @enum {string} */
            role: 'user' | 'admin';
            disabled: boolean;
            /** @description ISO-8601 time */
            created_at: string;
            /** @description the effective limits; null = none */
            quota: {
              max_active_jobs: number | null;
              jobs_per_day: number | null;
              credits_per_day: number | null;
            };
            /** @description only the keys an admin set for this user */
            quota_overrides: {
              max_active_jobs?: number | null;
              jobs_per_day?: number | null;
              credits_per_day?: number | null;
            };
            usage: {
              max_active_jobs: {
                /** @description null: no limit */
                limit: number | null;
                used: number;
                /** @description null: frees when a job ends */
                resets_at: string | null;
              };
              jobs_per_day: {
                /** @description null: no limit */
                limit: number | null;
                used: number;
                /** @description null: frees when a job ends */
                resets_at: string | null;
              };
              credits_per_day: {
                /** @description null: no limit */
                limit: number | null;
                used: number;
                /** @description null: frees when a job ends */
                resets_at: string | null;
              };
            };
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  listFailedCallbacks: {
    parameters: {
      query?: {
        state?: 'pending' | 'delivered' | 'failed';
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Default Response */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            items: {
              job_id: string;
              /** @description the job's owner */
              user_id: string | null;
              url: string;
              /** @enum {string} */
              event: 'job.completed' | 'job.failed' | 'job.cancelled';
              /** @enum {string} */
              state: 'pending' | 'delivered' | 'failed';
              attempts: number;
              /** @description while pending */
              next_attempt_at: string | null;
              last_status: number | null;
              last_error: string | null;
              /** @description ISO-8601 time */
              created_at: string;
            }[];
            /** @description pass as ?cursor= for the next page */
            next_cursor: string | null;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
  resendFailedCallbacks: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        'application/json': {
          ids?: string[];
          count?: number;
        };
      };
    };
    responses: {
      /** @description Default Response */
      202: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            /** @description given-up callbacks now pending again */
            resent: number;
          };
        };
      };
      /** @description Default Response */
      '4XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
      /** @description Default Response */
      '5XX': {
        headers: {
          [name: string]: unknown;
        };
        content: {
          'application/json': {
            error: {
              code: string;
              message: string;
              /** @description for VALIDATION_FAILED and INVALID_PARAMS: [{ field, message }] */
              details?: unknown;
            };
          };
        };
      };
    };
  };
}
