import { Writable } from 'node:stream';
import { emptyPlan, type Plan } from '@mcsync/core';
import { describe, expect, it } from 'vitest';
import { createProgress, FILE_BAR_MIN_BYTES } from './progress';

/** A writable that says it is a terminal and keeps what was drawn. */
function fakeTerminal(): NodeJS.WriteStream & { text: () => string } {
  let out = '';
  const stream = new Writable({
    write(chunk, _enc, done) {
      out += chunk.toString();
      done();
    },
  }) as unknown as NodeJS.WriteStream & { text: () => string };
  Object.assign(stream, { isTTY: true, columns: 120, rows: 40, text: () => out });
  return stream;
}

function planOf(uploads: { path: string; size: number }[]): Plan {
  const plan = emptyPlan();
  for (const u of uploads) plan.uploads.push({ path: u.path, local: { size: u.size } } as Plan['uploads'][number]);
  return plan;
}

const frame = () => new Promise((r) => setTimeout(r, 300));

describe('terminal progress', () => {
  it('shows a bar of its own for a large file in flight, with its bytes, under the overall bar', async () => {
    const term = fakeTerminal();
    const progress = createProgress('tty', 'up', term);
    const big = FILE_BAR_MIN_BYTES * 4;
    progress.onPlan(planOf([{ path: 'images/stack.tif', size: big }, { path: 'a.cif', size: 10 }]));
    progress.onProgress({ type: 'start', op: 'upload', path: 'images/stack.tif', total: big });
    progress.onProgress({ type: 'bytes', op: 'upload', path: 'images/stack.tif', bytes: big / 2, total: big });
    await frame();
    progress.stop();
    const text = term.text();
    expect(text).toMatch(/uploading \[.*\] 49% \| 0\/2 files/);
    expect(text).toMatch(/images\/stack\.tif\s+\[.*\] 50% \| 64\.0 MiB\/128 MiB/);
  });

  it('starts a resumed download at the bytes already on disk, without counting them as speed', async () => {
    const term = fakeTerminal();
    const progress = createProgress('tty', 'down', term);
    const big = FILE_BAR_MIN_BYTES * 4;
    const plan = emptyPlan();
    plan.downloads.push({ path: 'big.h5', remote: { size: big } } as Plan['downloads'][number]);
    progress.onPlan(plan);
    progress.onProgress({ type: 'start', op: 'download', path: 'big.h5', total: big, resumed: big / 2 });
    await frame();
    progress.stop();
    const text = term.text();
    expect(text).toMatch(/downloading \[.*\] 50% \| 0\/1 files \| 64\.0 MiB\/128 MiB \| 0 B\/s/);
    expect(text).toMatch(/big\.h5\s+\[.*\] 50% \| 64\.0 MiB\/128 MiB/);
  });

  it('gives small files no bar of their own', async () => {
    const term = fakeTerminal();
    const progress = createProgress('tty', 'down', term);
    progress.onPlan(planOf([{ path: 'small.cif', size: 1000 }]));
    progress.onProgress({ type: 'start', op: 'download', path: 'small.cif', total: 1000 });
    progress.onProgress({ type: 'bytes', op: 'download', path: 'small.cif', bytes: 500, total: 1000 });
    await frame();
    progress.stop();
    expect(term.text()).toMatch(/downloading \[/);
    expect(term.text()).not.toMatch(/small\.cif/);
  });

  it('as NDJSON, writes one event per line with the plan first', () => {
    const term = fakeTerminal();
    const progress = createProgress('ndjson', 'up', term);
    progress.onPlan(planOf([{ path: 'x.bin', size: 5 }]));
    progress.onProgress({ type: 'start', op: 'upload', path: 'x.bin', total: 5 });
    progress.onProgress({ type: 'done', op: 'upload', path: 'x.bin', bytes: 5 });
    const events = term.text().trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(events.map((e) => e.type)).toEqual(['plan', 'start', 'done']);
    expect(events[0]).toMatchObject({ files: 1, bytes: 5 });
    expect(events[2]).toMatchObject({ op: 'upload', path: 'x.bin', bytes: 5 });
  });
});
