import { createInterface } from 'node:readline';

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

/** y/n/all on the terminal (stderr), for replacing local files with `mc down -f`. */
export async function promptYesNoAll(question: string): Promise<'yes' | 'no' | 'all'> {
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    for (;;) {
      const answer = (await new Promise<string>((resolve) => rl.question(`${question} [y/n/a(ll)] `, resolve))).trim().toLowerCase();
      if (answer === 'y' || answer === 'yes') return 'yes';
      if (answer === 'n' || answer === 'no' || answer === '') return 'no';
      if (answer === 'a' || answer === 'all') return 'all';
    }
  } finally {
    rl.close();
  }
}
