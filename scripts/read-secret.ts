import { createInterface } from 'node:readline';

/**
 * A secret from stdin: the whole of piped input (one trailing newline dropped), or one line
 * typed at a terminal with echo off.
 */
export async function readSecret(prompt: string): Promise<string> {
  if (!process.stdin.isTTY) {
    const chunks: Buffer[] = [];
    for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks).toString('utf8').replace(/\r?\n$/, '');
  }
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  // readline echoes through _writeToOutput: keep the prompt, drop what is typed.
  const writer = rl as unknown as { _writeToOutput: (s: string) => void; output: NodeJS.WritableStream };
  let muted = false;
  writer._writeToOutput = (s: string) => { if (!muted || s.includes('\n')) writer.output.write(muted ? '\n' : s); };
  return new Promise((resolve) => {
    rl.question(prompt, (answer) => { rl.close(); resolve(answer); });
    muted = true;
  });
}
