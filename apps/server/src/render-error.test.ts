import type { FastifyRequest } from 'fastify';
import { describe, expect, it } from 'vitest';
import { expectsJson } from './render-error.js';

const request = (headers: Record<string, string>) => ({ headers }) as unknown as FastifyRequest;

describe("expectsJson (Laravel's rule behind Q11)", () => {
  it.each([
    [{ accept: 'application/json' }, true],
    [{ accept: 'application/vnd.api+json' }, true],
    [{ accept: 'text/html;q=0.5, application/json' }, true],
    [{ accept: 'text/html, application/json' }, false],
    [{ accept: '*/*' }, false],
    [{}, false],
    [{ 'x-requested-with': 'XMLHttpRequest' }, true],
    [{ 'x-requested-with': 'XMLHttpRequest', accept: 'text/html' }, false],
  ])('%j → %s', (headers, expected) => {
    expect(expectsJson(request(headers))).toBe(expected);
  });
});
