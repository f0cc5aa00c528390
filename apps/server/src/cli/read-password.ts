import { CliError, usageError, type CliIo } from './io.js';

/** One line of stdin, without its line ending (`--password-stdin`). */
export async function readStdinLine(io: CliIo): Promise<string> {
  let text = '';
  for await (const chunk of io.stdin) {
    text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString('utf8');
    if (text.includes('\n')) break;
  }
  return text.split('\n')[0]!.replace(/\r$/, '');
}

/** A password typed at a hidden prompt on the terminal, asked twice. */
export async function promptNewPassword(io: CliIo): Promise<string> {
  if (!io.stdin.isTTY || !io.stdin.setRawMode) {
    throw usageError('no terminal to ask for the password on; pass it on stdin with --password-stdin');
  }
  const first = await promptHidden(io, 'Password: ');
  const second = await promptHidden(io, 'Password (again): ');
  if (first !== second) throw usageError('the passwords do not match');
  return first;
}

function promptHidden(io: CliIo, question: string): Promise<string> {
  const stdin = io.stdin;
  io.stderr.write(question);
  stdin.setRawMode!(true);
  stdin.resume();
  return new Promise((resolve, reject) => {
    let typed = '';
    const finish = (error?: Error) => {
      stdin.off('data', onData);
      stdin.setRawMode!(false);
      stdin.pause();
      io.stderr.write('\n');
      if (error) reject(error);
      else resolve(typed);
    };
    const onData = (chunk: Buffer | string) => {
      for (const char of chunk.toString()) {
        if (char === '\r' || char === '\n') return finish();
        if (char === '\u0003') return finish(new CliError('interrupted', 130));
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}
