/*
 * Request/answer over Node's IPC channel, for the benchmark's child processes (the stub
 * agents and the worker). Each child is forked with `node --import tsx`, so its pid is the
 * process doing the work (no wrapper), and is stopped by that pid only.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { sleep } from './stats';

type Request = { id: number; cmd: string; args?: unknown };
type Answer = { id: number; ok: boolean; value?: unknown; error?: string };

/** In the child: answers the parent's requests with `handlers`. */
export function serveParent(handlers: Record<string, (args: never) => unknown>) {
  if (!process.send) throw new Error('this module runs as a child of bench/run.ts');
  process.on('message', async (msg: Request) => {
    let answer: Answer;
    try {
      const handler = handlers[msg.cmd];
      if (!handler) throw new Error(`unknown command ${msg.cmd}`);
      answer = { id: msg.id, ok: true, value: await handler(msg.args as never) };
    } catch (e) {
      answer = { id: msg.id, ok: false, error: e instanceof Error ? `${e.message}\n${e.stack ?? ''}` : String(e) };
    }
    process.send!(answer);
  });
  // The parent gone (crashed, killed): nothing left to do here. An orderly exit on SIGTERM
  // also lets --cpu-prof (BENCH_PROFILE) write its profile.
  process.on('disconnect', () => process.exit(0));
  process.on('SIGTERM', () => process.exit(0));
}

export class Child {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (v: unknown) => void; reject: (e: Error) => void }>();
  private exited = false;
  readonly process: ChildProcess;

  constructor(root: string, script: string, env: Record<string, string>, readonly name: string, execArgv: string[] = []) {
    this.process = fork(script, [], {
      cwd: root, env: { ...process.env, ...env }, execArgv: ['--import', 'tsx', '--expose-gc', ...execArgv], stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    this.process.on('message', (a: Answer) => {
      const w = this.waiting.get(a.id);
      if (!w) return;
      this.waiting.delete(a.id);
      if (a.ok) w.resolve(a.value);
      else w.reject(new Error(`${this.name}: ${a.error}`));
    });
    this.process.once('exit', (code, signal) => {
      this.exited = true;
      for (const w of this.waiting.values()) w.reject(new Error(`${this.name} exited (${signal ?? code})`));
      this.waiting.clear();
    });
  }

  get pid(): number {
    return this.process.pid!;
  }

  call<T>(cmd: string, args?: unknown, timeoutMs = 300_000): Promise<T> {
    if (this.exited) return Promise.reject(new Error(`${this.name} is not running`));
    const id = this.next++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiting.delete(id);
        reject(new Error(`${this.name}: ${cmd} took more than ${timeoutMs / 1000} s`));
      }, timeoutMs);
      this.waiting.set(id, {
        resolve: (v) => { clearTimeout(timer); resolve(v as T); },
        reject: (e) => { clearTimeout(timer); reject(e); },
      });
      this.process.send({ id, cmd, args } satisfies Request);
    });
  }

  async stop() {
    if (this.exited) return;
    this.process.kill('SIGTERM');
    for (let i = 0; i < 50 && !this.exited; i++) await sleep(100);
    if (!this.exited) this.process.kill('SIGKILL');
  }
}
