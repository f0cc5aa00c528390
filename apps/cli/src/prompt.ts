import { createInterface } from 'node:readline';
import { printable } from './output/printable';

/** Reads one line of stdin (for `--password-stdin` or piped input), trailing newline stripped. */
export async function readStdinLine(): Promise<string> {
  const rl = createInterface({ input: process.stdin, terminal: false });
  try {
    for await (const line of rl) return line.replace(/\r$/, '');
    return '';
  } finally {
    rl.close();
  }
}

/** Asks for a secret on the terminal without echoing it. */
export async function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  if (!stdin.isTTY) return readStdinLine();
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const onData = (chunk: string) => {
      for (const ch of chunk) {
        if (ch === '\r' || ch === '\n') {
          done();
          resolve(value);
          return;
        }
        if (ch === '\u0003') {
          done();
          reject(Object.assign(new Error('interrupted'), { name: 'AbortError', code: 'ABORT_ERR' }));
          return;
        }
        if (ch === '\u007f' || ch === '\b') value = value.slice(0, -1);
        else value += ch;
      }
    };
    const done = () => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
    };
    stdin.on('data', onData);
  });
}

export type YesNoAll = 'yes' | 'no' | 'all';

/**
 * y/n/all questions on the terminal (stderr), for replacing local files with `mc down -f`. Lines
 * typed (or pasted) ahead are queued for the next questions instead of being lost with the
 * reader of the question they arrived during. Each question has its own reader, so the terminal is
 * back to normal (Ctrl-C interrupts the run) between questions. Ctrl-C at a question interrupts the
 * run and answers "no" to it and to every later one.
 */
export function yesNoAllPrompt(): (question: string) => Promise<YesNoAll> {
  const typedAhead: string[] = [];
  let interrupted = false;

  const nextLine = (question: string): Promise<string | null> => {
    const prompt = `${printable(question)} [y/n/a(ll)] `;
    if (typedAhead.length) {
      const line = typedAhead.shift()!;
      process.stderr.write(`${prompt}${line}\n`);
      return Promise.resolve(line);
    }
    const rl = createInterface({ input: process.stdin, output: process.stderr });
    return new Promise<string | null>((resolve) => {
      let answered = false;
      const answer = (line: string | null) => {
        if (answered) {
          if (line !== null) typedAhead.push(line);
          return;
        }
        answered = true;
        resolve(line);
      };
      rl.on('line', (line) => answer(line));
      rl.on('close', () => answer(null));
      rl.on('SIGINT', () => {
        // The terminal is raw here, so Ctrl-C is a key, not a signal: hand it to the run's SIGINT
        // handler now (synchronously, so the run is already stopping when "no" is returned).
        interrupted = true;
        if (process.listenerCount('SIGINT') > 0) process.emit('SIGINT', 'SIGINT');
        else process.kill(process.pid, 'SIGINT');
        answer(null);
      });
      rl.setPrompt(prompt);
      rl.prompt();
    }).finally(() => rl.close());
  };

  return async (question) => {
    for (;;) {
      if (interrupted) return 'no';
      const line = await nextLine(question);
      if (line === null) return 'no';
      const answer = line.trim().toLowerCase();
      if (answer === 'y' || answer === 'yes') return 'yes';
      if (answer === 'n' || answer === 'no' || answer === '') return 'no';
      if (answer === 'a' || answer === 'all') return 'all';
    }
  };
}
