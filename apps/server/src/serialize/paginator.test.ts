import { describe, expect, it } from 'vitest';
import { pageOf } from './paginator.js';

describe('pageOf', () => {
  it.each([
    [{}, { number: 1, size: 500 }],
    [{ 'page[number]': '3', 'page[size]': '20' }, { number: 3, size: 20 }],
    [{ 'page[number]': '0', 'page[size]': '0' }, { number: 1, size: 500 }],
    [{ 'page[number]': '-2', 'page[size]': '9999' }, { number: 1, size: 500 }],
    [{ 'page[number]': 'two', 'page[size]': '1.5' }, { number: 1, size: 500 }],
    [{ page: { number: '2', size: '10' } }, { number: 2, size: 10 }],
  ])('%j → %j', (query, page) => expect(pageOf(query)).toEqual(page));
});
