// From the registry, in an empty folder: a user names the six packages they use and nothing else,
// with the root README's command (its Install section's second block):
//   npm install @kratos/core @kratos/http @kratos/grpc @kratos/registry-etcd @kratos/config @kratos/log-pino
// and a service built from them (fixtures/mix: server.ts, client.ts) runs against a real etcd: it
// registers, answers HTTP at its registered endpoint and gRPC through discovery:///mix, and is gone
// from etcd once stopped. (Last session this install failed: 404 for @kratos/selector, a dependency
// of http and grpc that was never published.)
import { execFileSync } from 'node:child_process';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { emptyFolder, freePort, readmeInstall, say, sh, startProcess, userEnv } from './lib.mjs';

export const SIX = [
  '@kratos/core',
  '@kratos/http',
  '@kratos/grpc',
  '@kratos/registry-etcd',
  '@kratos/config',
  '@kratos/log-pino',
];

function startEtcd(ctx) {
  const out = execFileSync(join(ctx.root, 'scripts/servers/start.sh'), ['etcd'], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const server = JSON.parse(out.trim().split('\n').pop());
  ctx.cleanups.push(async () =>
    execFileSync(join(ctx.root, 'scripts/servers/stop.sh'), [String(server.pid)]),
  );
  return server;
}

export default async function mix(ctx) {
  const scope = 'mix';
  const etcd = startEtcd(ctx);
  const endpoint = etcd.endpoints.client;
  say(scope, `etcd at ${endpoint}`);

  const dir = emptyFolder(ctx, scope);
  const env = userEnv(ctx.registry, dir);
  await sh(scope, dir, env, 'npm', ['init', '-y']);
  await sh(scope, dir, env, 'npm', ['pkg', 'set', 'type=module']);
  // The README's command, as written there.
  const [install] = readmeInstall(readFileSync(join(ctx.copy, 'README.md'), 'utf8')).mix;
  const [npm, ...args] = install.split(' ');
  const names = args.filter((a) => !a.startsWith('-'));
  if (npm !== 'npm' || args[0] !== 'install' || names.slice(1).sort().join() !== [...SIX].sort().join()) {
    throw new Error(
      `[release] [${scope}] error: README.md's second Install block is "${install}"; this check runs npm install ${SIX.join(' ')} (change both together)`,
    );
  }
  await sh(scope, dir, env, npm, args);
  const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
  const named = Object.keys(manifest.dependencies ?? {}).sort();
  if (named.join() !== [...SIX].sort().join()) {
    throw new Error(
      `[release] [${scope}] error: package.json names ${named.join(', ')}, not the six packages`,
    );
  }
  if (!existsSync(join(dir, 'node_modules/@kratos/selector/package.json'))) {
    throw new Error(
      `[release] [${scope}] error: @kratos/selector (a dependency of http and grpc) was not installed`,
    );
  }
  for (const f of ['server.ts', 'client.ts', 'greeter.ts', 'configs']) {
    cpSync(join(ctx.root, 'test/release/fixtures/mix', f), join(dir, f), { recursive: true });
  }

  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const appEnv = {
    ...env,
    MIX_HTTP_ADDR: `127.0.0.1:${httpPort}`,
    MIX_GRPC_ADDR: `127.0.0.1:${grpcPort}`,
    MIX_ETCD_ENDPOINT: endpoint,
  };
  say(scope, `$ node server.ts  (HTTP 127.0.0.1:${httpPort}, gRPC 127.0.0.1:${grpcPort})`);
  const server = startProcess(dir, appEnv, 'node', ['server.ts']);
  const fail = (what) =>
    `${server.output().split('\n').slice(-20).join('\n')}\n[release] [${scope}] error: ${what}`;
  try {
    let seen;
    try {
      seen = JSON.parse(
        (await sh(scope, dir, appEnv, 'node', ['client.ts'], { timeoutMs: 60_000 })).trim().split('\n').pop(),
      );
    } catch (e) {
      throw new Error(fail(e.message));
    }
    const endpoints = seen.instances.flatMap((i) => i.endpoints);
    const has = (prefix) => endpoints.some((e) => e === prefix || e.startsWith(`${prefix}?`));
    if (!has(`http://127.0.0.1:${httpPort}`) || !has(`grpc://127.0.0.1:${grpcPort}`)) {
      throw new Error(
        fail(`etcd holds ${JSON.stringify(endpoints)}, not this service's HTTP and gRPC endpoints`),
      );
    }
    if (seen.http?.message !== 'Hello http')
      throw new Error(fail(`HTTP answered ${JSON.stringify(seen.http)}`));
    if (seen.grpc?.message !== 'Hello grpc')
      throw new Error(fail(`gRPC answered ${JSON.stringify(seen.grpc)}`));
    say(
      scope,
      `registered ${JSON.stringify(endpoints)}; HTTP -> ${JSON.stringify(seen.http)}; gRPC via discovery:///mix -> ${JSON.stringify(seen.grpc)}`,
    );

    await server.stop();
    const { code, signal } = await server.exited;
    if (code !== 0) throw new Error(fail(`the service exited with ${code ?? signal} on SIGTERM`));
    const after = JSON.parse(
      (await sh(scope, dir, appEnv, 'node', ['client.ts', '--gone'], { timeoutMs: 60_000 }))
        .trim()
        .split('\n')
        .pop(),
    );
    if (after.instances.length !== 0)
      throw new Error(fail(`still registered after stop: ${JSON.stringify(after.instances)}`));
    say(scope, 'stopped on SIGTERM (exit 0) and deregistered from etcd');
  } finally {
    await server.stop();
  }
}
