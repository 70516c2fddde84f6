import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A port that was free a moment ago (bind 0, read, close). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

export interface RunningProcess {
  child: ChildProcess;
  /** Everything the process printed so far (stdout + stderr). */
  output(): string;
  /** SIGTERM, then SIGKILL after a grace period; resolves when it has exited. */
  stop(graceMs?: number): Promise<number | null>;
  exited: Promise<number | null>;
}

/** Spawns a process (its own process group, so children die with it) and captures its output. */
export function startProcess(command: string, args: string[], options: { env: NodeJS.ProcessEnv; cwd?: string }): RunningProcess {
  const child = spawn(command, args, { env: options.env, cwd: options.cwd, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return {
    child,
    output: () => out,
    exited,
    async stop(graceMs = 10_000) {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      const kill = (signal: NodeJS.Signals) => {
        // No pid: the spawn itself failed, so there is no process group to signal.
        if (child.pid === undefined) return;
        try {
          process.kill(-child.pid, signal);
        } catch {
          /* already gone */
        }
      };
      kill('SIGTERM');
      const timer = setTimeout(() => kill('SIGKILL'), graceMs);
      const code = await exited;
      clearTimeout(timer);
      return code;
    },
  };
}

/** Polls a URL until `accept(status)` or the deadline; returns the last response status. */
export async function waitForHttp(url: string, options: { timeoutMs?: number; accept?: (status: number) => boolean; process?: RunningProcess } = {}): Promise<number> {
  const deadline = Date.now() + (options.timeoutMs ?? 60_000);
  const accept = options.accept ?? ((s: number) => s >= 200 && s < 300);
  let last = 0;
  while (Date.now() < deadline) {
    if (options.process && options.process.child.exitCode !== null) {
      throw new Error(`process exited with ${options.process.child.exitCode} before ${url} answered:\n${options.process.output().slice(-3000)}`);
    }
    try {
      const res = await fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(2000) });
      last = res.status;
      await res.arrayBuffer();
      if (accept(res.status)) return res.status;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`${url} did not answer in time (last status ${last})${options.process ? `:\n${options.process.output().slice(-3000)}` : ''}`);
}
