// Temporary folders of the rehearsal hold node_modules trees that take a loaded machine tens of
// seconds to delete: they are removed by a detached `rm -rf`, so the run ends when its checks do.
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';

export function removeInBackground(dir) {
  if (!dir.startsWith(tmpdir()))
    throw new Error(`[release] error: refusing to remove ${dir} (not under ${tmpdir()})`);
  spawn('rm', ['-rf', dir], { detached: true, stdio: 'ignore' }).unref();
}
