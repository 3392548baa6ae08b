// Starts `onehop dev` (ONEHOP_BIN) on two free 127.0.0.1 ports with its data in a temporary
// folder and the built web app (ONEHOP_SOURCE_DIR/web/dist), the way tests/integration/
// test_api_dev.py does, and stops it with SIGTERM.

import { spawn } from 'node:child_process';
import { createWriteStream, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * `env` is added to the process's environment, after AWS_* and ONEHOP_UPLOADS_* are removed
 * (the developer's settings must not change what the test sees).
 */
export async function startDev({ webDir, env = {} }) {
  const bin = process.env.ONEHOP_BIN;
  if (!bin) {
    throw new Error('ONEHOP_BIN is not set');
  }
  const tmp = mkdtempSync(join(tmpdir(), 'onehop-e2e-'));
  const port = await freePort();
  let storePort = await freePort();
  while (storePort === port) {
    storePort = await freePort();
  }
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('AWS_') && !k.startsWith('ONEHOP_UPLOADS_')),
  );
  const stderrFile = join(tmp, 'dev.stderr');
  const stderr = createWriteStream(stderrFile);
  const proc = spawn(
    bin,
    ['dev', '--data', join(tmp, 'data'), '--port', String(port), '--store-port', String(storePort), '--web-dir', webDir],
    { env: { ...clean, ...env }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  proc.stderr.pipe(stderr);
  // Whatever happens to the test (an uncaught error included), the server does not outlive it.
  process.on('exit', () => {
    if (proc.exitCode === null && proc.signalCode === null) {
      proc.kill('SIGKILL');
    }
  });
  let out = '';
  await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`onehop dev did not start in 60 s:\n${out}`)), 60000);
    const onExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`onehop dev exited with ${code} while starting (stderr in ${stderrFile}):\n${out}`));
    };
    proc.on('exit', onExit);
    proc.stdout.on('data', (d) => {
      out += d;
      if (/^Stop with/m.test(out)) {
        clearTimeout(timer);
        proc.off('exit', onExit);
        resolve();
      }
    });
  });
  proc.stdout.resume();
  return {
    tmp,
    stderrFile,
    output: out,
    url: `http://127.0.0.1:${port}/`,
    apiOrigin: `http://127.0.0.1:${port}`,
    storeOrigin: `http://127.0.0.1:${storePort}`,
    /** SIGTERM, then the exit code (0 after a graceful stop). */
    stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) {
        return Promise.resolve(proc.exitCode);
      }
      return new Promise((resolve) => {
        const timer = setTimeout(() => proc.kill('SIGKILL'), 30000);
        proc.on('exit', (code, signal) => {
          clearTimeout(timer);
          stderr.end();
          resolve(code ?? signal);
        });
        proc.kill('SIGTERM');
      });
    },
  };
}
