// createApp's signal handling, checked in a real child process (testdata/signal-app.ts).
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('./testdata/signal-app.ts', import.meta.url));

/** Starts the signal test app and resolves once it printed `ready`. */
function startChild(mode: 'graceful' | 'hang') {
  const child = spawn(process.execPath, ['--conditions=kratos-source', script, mode], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => {
    stdout += d;
  });
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  const waitFor = (text: string) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (stdout.includes(text)) resolve();
        else if (child.exitCode !== null) reject(new Error(`child exited before "${text}": ${stderr}`));
        else setTimeout(check, 10);
      };
      check();
    });
  return { child, exited, waitFor, output: () => ({ stdout, stderr }) };
}

function kill(child: ChildProcess) {
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

describe('createApp in a real process', () => {
  it('SIGTERM once: graceful exit 0 with the stop hooks run', async () => {
    const c = startChild('graceful');
    try {
      await c.waitFor('ready');
      c.child.kill('SIGTERM');
      const { code, signal } = await c.exited;
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(c.output().stdout).toBe('ready\nbefore-stop\nafter-stop\nrun resolved\n');
      expect(c.output().stderr).toMatch(/INFO .*msg="received SIGTERM, stopping"/);
    } finally {
      kill(c.child);
    }
  });

  it('SIGTERM twice: the second forces the exit with status 1', async () => {
    const c = startChild('hang');
    try {
      await c.waitFor('ready');
      c.child.kill('SIGTERM');
      await c.waitFor('before-stop');
      c.child.kill('SIGTERM');
      const { code, signal } = await c.exited;
      expect({ code, signal }).toEqual({ code: 1, signal: null });
      expect(c.output().stdout).toBe('ready\nbefore-stop\n');
      expect(c.output().stderr).toMatch(/WARN .*msg="received SIGTERM again, forcing exit"/);
    } finally {
      kill(c.child);
    }
  });
});
