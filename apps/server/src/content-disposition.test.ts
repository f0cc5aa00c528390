import { describe, expect, it } from 'vitest';
import { attachmentDisposition } from './content-disposition.js';

describe('attachmentDisposition', () => {
  it.each([
    ['data.csv', 'attachment; filename=data.csv'],
    ['my file.txt', 'attachment; filename="my file.txt"'],
    ['quote".txt', 'attachment; filename="quote\\".txt"'],
    ['café.txt', "attachment; filename=caf_.txt; filename*=utf-8''caf%C3%A9.txt"],
    ['100%.txt', "attachment; filename=100_.txt; filename*=utf-8''100%25.txt"],
    ["it's (1).txt", `attachment; filename="it's (1).txt"`],
    ['データ', "attachment; filename=___; filename*=utf-8''%E3%83%87%E3%83%BC%E3%82%BF"],
  ])('%j → %s', (name, header) => {
    expect(attachmentDisposition(name)).toBe(header);
  });
});
