import { describe, expect, it } from 'vitest';
import { ValidationError } from '#shared/errors.js';
import { errorResponse } from '#shared/http.js';

function awsError(name: string, fields: Record<string, unknown>): Error {
  return Object.assign(new Error(name), { name, ...fields });
}

describe('Function: errorResponse', () => {
  it.each([
    ['a server fault', awsError('InternalServerError', { $fault: 'server' })],
    ['throttling', awsError('ThrottlingException', { $fault: 'client' })],
    ['a refused connection', awsError('Error', { code: 'ECONNREFUSED' })],
  ])('answers 503 with retry-after for %s', (_case, error) => {
    const response = errorResponse(error);

    expect(response.statusCode).toBe(503);
    expect(response.headers?.['retry-after']).toBe('1');
    expect(String(response.body)).toContain('retry the request later');
  });

  it('answers 500 without details for a programming error', () => {
    const response = errorResponse(new TypeError('x is undefined'));

    expect(response.statusCode).toBe(500);
    expect(String(response.body)).not.toContain('x is undefined');
  });

  it('answers 500 for a client fault of an AWS service', () => {
    const error = awsError('ValidationException', { $fault: 'client' });

    expect(errorResponse(error).statusCode).toBe(500);
  });
});

describe('Class: ValidationError', () => {
  it('lists at most 20 problems and counts the rest', () => {
    const problems = Array.from({ length: 125 }, (_, i) => ({
      field: `field${i}`,
      rule: 'is not a known field',
    }));

    const body = JSON.parse(new ValidationError(problems).toBody());

    expect(body.error.problems).toHaveLength(20);
    expect(body.error.unlistedProblems).toBe(105);
    expect(body.error.message).toBe(
      'Invalid request: field0 is not a known field',
    );
  });

  it('omits the unlisted count when every problem is listed', () => {
    const body = JSON.parse(
      new ValidationError([{ field: 'files', rule: 'is required' }]).toBody(),
    );

    expect(body.error.unlistedProblems).toBeUndefined();
  });
});
