// From the registry, in an empty folder, the commands of the root README's Install section (read
// from the released commit's README.md):
//   npx @kratos/cli new helloworld, cd helloworld, npm install, npm run generate, npm start
// then a real greeting over HTTP and over gRPC, and the service stopped.
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import {
  decodeString1,
  emptyFolder,
  encodeString1,
  freePort,
  grpcUnary,
  npmCache,
  readmeInstall,
  say,
  sh,
  startProcess,
  userEnv,
  waitFor,
} from './lib.mjs';

/** Checks the README's commands have the shape this check drives, and returns the service name. */
function parse(lines) {
  const want = ['npx @kratos/cli new <name>', 'cd <name>', 'npm install', 'npm run generate', 'npm start'];
  const name = lines[0]?.match(/^npx @kratos\/cli new ([a-z][a-z0-9-]*)$/)?.[1];
  const expected = want.map((w) => w.replace('<name>', name ?? '<name>'));
  if (!name || lines.join('\n') !== expected.join('\n')) {
    throw new Error(
      `[release] [scaffold] error: README.md's first Install block is ${JSON.stringify(lines)}; this check runs ${JSON.stringify(want)} (change both together)`,
    );
  }
  return name;
}

export default async function scaffold(ctx) {
  const scope = 'scaffold';
  const lines = readmeInstall(readFileSync(join(ctx.copy, 'README.md'), 'utf8')).scaffold;
  const name = parse(lines);
  const dir = emptyFolder(ctx, scope);
  const env = userEnv(ctx.registry, dir);
  // npx keeps what it installed under the cache's _npx/: drop it, so the CLI comes from this run's registry.
  rmSync(join(npmCache, '_npx'), { recursive: true, force: true });

  const [npx, ...newArgs] = lines[0].split(' ');
  await sh(scope, dir, env, npx, newArgs);
  const app = join(dir, name); // lines[1]: cd <name>
  const cli = ctx.packages.find((p) => p.name === '@kratos/cli');
  const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8'));
  for (const [dep, range] of Object.entries({ ...manifest.dependencies, ...manifest.devDependencies })) {
    if (dep.startsWith('@kratos/') && range.includes('workspace:')) {
      throw new Error(`[release] [${scope}] error: the new service depends on ${dep}@${range}`);
    }
  }
  await sh(scope, app, env, 'npm', ['install']); // lines[2]
  const installed = JSON.parse(
    readFileSync(join(app, 'node_modules/@kratos/cli/package.json'), 'utf8'),
  ).version;
  if (installed !== cli.version) {
    throw new Error(
      `[release] [${scope}] error: npm install gave @kratos/cli ${installed}, the release is ${cli.version}`,
    );
  }
  await sh(scope, app, env, 'npm', ['run', 'generate']); // lines[3]

  // The only change to what `kratos new` wrote: loopback addresses at free ports instead of :8000/:9000.
  const [httpPort, grpcPort] = [await freePort(), await freePort()];
  const configFile = join(app, 'configs/config.yaml');
  const config = readFileSync(configFile, 'utf8');
  if (!config.includes('0.0.0.0:8000') || !config.includes('0.0.0.0:9000')) {
    throw new Error(
      `[release] [${scope}] error: configs/config.yaml no longer has the :8000/:9000 addresses this check rewrites`,
    );
  }
  writeFileSync(
    configFile,
    config.replace('0.0.0.0:8000', `127.0.0.1:${httpPort}`).replace('0.0.0.0:9000', `127.0.0.1:${grpcPort}`),
  );

  say(scope, `$ npm start  (HTTP 127.0.0.1:${httpPort}, gRPC 127.0.0.1:${grpcPort})`); // lines[4]
  const svc = startProcess(app, env, 'npm', ['start']);
  try {
    const alive = () => svc.child.exitCode === null;
    const fail = (what) =>
      `${svc.output().split('\n').slice(-20).join('\n')}\n[release] [${scope}] error: ${what}`;
    const path = `/${name}/kratos`;
    const reply = await waitFor(
      async () => {
        const r = await fetch(`http://127.0.0.1:${httpPort}${path}`);
        return r.ok ? r.json() : undefined;
      },
      { timeoutMs: 60_000, alive, message: fail(`npm start: GET ${path} did not answer 200 within 60 s`) },
    );
    if (reply.message !== 'Hello kratos')
      throw new Error(fail(`HTTP answered ${JSON.stringify(reply)}, not {"message":"Hello kratos"}`));
    say(scope, `HTTP GET ${path} -> ${JSON.stringify(reply)}`);

    const grpc = createRequire(join(app, 'package.json'))('@grpc/grpc-js');
    const method = `/${name.replace(/-/g, '_')}.v1.Greeter/SayHello`;
    const bytes = await grpcUnary(grpc, `127.0.0.1:${grpcPort}`, method, encodeString1('grpc'));
    const message = decodeString1(bytes);
    if (message !== 'Hello grpc')
      throw new Error(fail(`gRPC SayHello answered "${message}", not "Hello grpc"`));
    say(scope, `gRPC ${method} -> "${message}"`);
  } finally {
    await svc.stop();
  }
  say(scope, 'service stopped');
}
