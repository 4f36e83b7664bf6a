import { validateJobRequest, type JobRequest } from '@pixsim/providers/job-request';
import { InvalidParamsError, ValidationFailedError } from '../http/errors.js';

/**
 * POST /api/v1/jobs: the job-request check job-intake runs too (wire shape, then the
 * provider's limits), its verdict as the API's 400 VALIDATION_FAILED or INVALID_PARAMS.
 */
export function parseJobRequest(input: unknown): JobRequest {
  const verdict = validateJobRequest(input);
  if (verdict.ok) return verdict.request;
  throw verdict.code === 'VALIDATION_FAILED'
    ? new ValidationFailedError(verdict.issues)
    : new InvalidParamsError(verdict.issues);
}
