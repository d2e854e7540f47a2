import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { main, type Output, parseServices } from './index.ts';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  const output: Output = { out: (l) => out.push(l), err: (l) => err.push(l) };
  return { out, err, output };
}

const tmp = () => mkdtempSync(join(tmpdir(), 'kratos-cli-'));

describe('kratos new', () => {
  it('lays out a service from the shipped template, offline, renaming it', async () => {
    const dir = tmp();
    const { out, output } = capture();
    expect(await main(['new', 'billing'], output, dir)).toBe(0);
    const root = join(dir, 'billing');
    for (const f of [
      'api/billing/v1/greeter.proto',
      'api/billing/v1/error_reason.proto',
      'cmd/billing/main.ts',
      'cmd/billing/wire.ts',
      'configs/config.yaml',
      'internal/biz/greeter.ts',
      'internal/data/data.ts',
      'internal/service/greeter.ts',
      'internal/server/http.ts',
      'internal/server/grpc.ts',
      'internal/conf/conf.proto',
      'third_party/google/api/annotations.proto',
      'third_party/google/api/http.proto',
      'third_party/errors/errors.proto',
      'package.json',
      'README.md',
      'Dockerfile',
      '.gitignore',
    ]) {
      expect(existsSync(join(root, f)), f).toBe(true);
    }
    expect(readFileSync(join(root, 'api/billing/v1/greeter.proto'), 'utf8')).toContain('package billing.v1;');
    expect(JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).name).toBe('billing');
    expect(readFileSync(join(root, 'internal/service/greeter.ts'), 'utf8')).toContain(
      'api/billing/v1/greeter_pb.js',
    );
    const created = out.filter((l) => l.startsWith('CREATED '));
    expect(created.length).toBeGreaterThan(15);
    expect(created).toContain(
      `CREATED ${join('billing', 'configs/config.yaml')} (${readFileSync(join(root, 'configs/config.yaml')).length} bytes)`,
    );
    expect(out).toContain('$ npm install');
    expect(out).toContain('$ npm start');
  });

  it('uses a dashed name as a proto package with underscores', async () => {
    const dir = tmp();
    expect(await main(['new', 'user-center'], capture().output, dir)).toBe(0);
    expect(readFileSync(join(dir, 'user-center/api/user-center/v1/greeter.proto'), 'utf8')).toContain(
      'package user_center.v1;',
    );
  });

  it('takes another template from a folder with -r', async () => {
    const dir = tmp();
    const tpl = join(dir, 'tpl');
    mkdirSync(join(tpl, 'cmd/helloworld'), { recursive: true });
    writeFileSync(join(tpl, 'cmd/helloworld/main.ts'), "console.log('helloworld');\n");
    writeFileSync(join(tpl, 'package.json'), '{"name":"helloworld"}\n');
    expect(await main(['new', 'shop', '-r', tpl], capture().output, dir)).toBe(0);
    expect(readFileSync(join(dir, 'shop/cmd/shop/main.ts'), 'utf8')).toBe("console.log('shop');\n");
  });

  it('adds a service to an existing project with --nomod', async () => {
    const dir = tmp();
    writeFileSync(join(dir, 'package.json'), '{"name":"mono"}');
    expect(await main(['new', 'orders', '--nomod'], capture().output, dir)).toBe(0);
    expect(existsSync(join(dir, 'orders/cmd/orders/main.ts'))).toBe(true);
    expect(existsSync(join(dir, 'orders/package.json'))).toBe(false);
  });

  it('refuses an existing folder, an invalid name, --nomod outside a project, a bad -r, with one line', async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'taken'));
    const cases: Array<[string[], RegExp]> = [
      [['new', 'taken'], /already exists/],
      [['new', 'Bad_Name'], /invalid project name "Bad_Name"/],
      [['new'], /takes one project name/],
      [['new', 'x', '--nomod'], /--nomod adds a service to an existing project/],
      [['new', 'y', '-r', join(dir, 'missing-template.git')], /cannot fetch template/],
    ];
    for (const [args, message] of cases) {
      const { err, output } = capture();
      expect(await main(args, output, dir)).not.toBe(0);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(message);
    }
    expect(existsSync(join(dir, 'y'))).toBe(false);
  });
});

describe('kratos (usage errors)', () => {
  it('rejects unknown commands and flags with one line and exit 2', async () => {
    for (const args of [['deploy'], ['new', 'a', '--frobnicate'], ['proto', 'compile']]) {
      const { err, output } = capture();
      expect(await main(args, output, tmp())).toBe(2);
      expect(err).toHaveLength(1);
      expect(err[0]).toMatch(/^kratos: /);
    }
  });

  it('prints its version and help', async () => {
    const { out, output } = capture();
    expect(await main(['--version'], output)).toBe(0);
    expect(out[0]).toMatch(/^kratos version v\d+\.\d+\.\d+/);
    expect(await main(['--help'], output)).toBe(0);
    expect(out.join('\n')).toContain('kratos new <name>');
  });
});

describe('kratos proto add / server', () => {
  it('adds a CRUD proto and generates stubs that are never overwritten', async () => {
    const dir = tmp();
    const { out, output } = capture();
    expect(await main(['proto', 'add', 'api/user/v1/user.proto'], output, dir)).toBe(0);
    const proto = readFileSync(join(dir, 'api/user/v1/user.proto'), 'utf8');
    expect(proto).toContain('package user.v1;');
    expect(proto).toMatch(/rpc CreateUser \(CreateUserRequest\) returns \(CreateUserReply\)/);
    expect(proto).toContain('rpc ListUser');
    expect(await main(['proto', 'add', 'api/user/v1/user.proto'], capture().output, dir)).toBe(1);

    expect(
      await main(['proto', 'server', 'api/user/v1/user.proto', '-t', 'internal/service'], output, dir),
    ).toBe(0);
    const stub = readFileSync(join(dir, 'internal/service/user.ts'), 'utf8');
    expect(stub).toContain('export function createUserService()');
    expect(stub).toContain("from '../../api/user/v1/user_pb.js'");
    expect(stub).toMatch(
      /async createUser\(_ctx: Context, _req: CreateUserRequest\): Promise<CreateUserReply>/,
    );
    writeFileSync(join(dir, 'internal/service/user.ts'), '// mine\n');
    expect(await main(['proto', 'server', 'api/user/v1/user.proto'], output, dir)).toBe(0);
    expect(readFileSync(join(dir, 'internal/service/user.ts'), 'utf8')).toBe('// mine\n');
    expect(out.some((l) => l.startsWith('SKIPPED'))).toBe(true);
  });

  it('reads streaming methods and ignores comments', () => {
    const { pkg, services } = parseServices(`
      syntax = "proto3"; package chat.v1; // service Fake { rpc X (A) returns (B); }
      /* service Hidden {} */
      service Chat {
        rpc Send (stream Msg) returns (Ack) {}
        rpc Feed (Topic) returns (stream Msg) { option (google.api.http) = { get: "/x" }; }
        rpc Talk (stream Msg) returns (stream google.protobuf.Empty);
      }`);
    expect(pkg).toBe('chat.v1');
    expect(services).toEqual([
      {
        name: 'Chat',
        methods: [
          { name: 'Send', input: 'Msg', output: 'Ack', clientStreaming: true, serverStreaming: false },
          { name: 'Feed', input: 'Topic', output: 'Msg', clientStreaming: false, serverStreaming: true },
          { name: 'Talk', input: 'Msg', output: 'Empty', clientStreaming: true, serverStreaming: true },
        ],
      },
    ]);
  });

  it('says which proto is missing and which file declares no service', async () => {
    const dir = tmp();
    const { err, output } = capture();
    expect(await main(['proto', 'server', 'api/nope.proto'], output, dir)).toBe(1);
    expect(err[0]).toContain(join(dir, 'api/nope.proto'));
    writeFileSync(join(dir, 'empty.proto'), 'syntax = "proto3"; package e;');
    expect(await main(['proto', 'server', 'empty.proto'], output, dir)).toBe(1);
    expect(err[1]).toContain('declares no service');
    expect(await main(['proto', 'client', 'api/none'], output, dir)).toBe(1);
    expect(err[2]).toContain('no such proto file or folder');
  });

  it("shows buf's message when generation fails", async () => {
    const dir = tmp();
    mkdirSync(join(dir, 'api/bad/v1'), { recursive: true });
    writeFileSync(join(dir, 'package.json'), '{}');
    writeFileSync(
      join(dir, 'api/bad/v1/bad.proto'),
      'syntax = "proto3";\npackage bad.v1;\nmessage X { strin name = 1; }\n',
    );
    const { err, output } = capture();
    expect(await main(['proto', 'client', 'api'], output, dir)).toBe(1);
    // The path as the user has it (buf names it inside its temporary workspace).
    expect(err[0]).toMatch(/code generation failed: buf generate failed: api\/bad\/v1\/bad\.proto:3:/);
  }, 60_000);
});

describe('kratos upgrade', () => {
  it('prints the install command for the project package manager', async () => {
    const dir = tmp();
    const { out, output } = capture();
    expect(await main(['upgrade', '--dry-run'], output, dir)).toBe(0);
    expect(out[0]).toBe(
      '$ npm install --save-dev @kratos/cli@latest @kratos/protoc-gen-kratos@latest @bufbuild/buf@latest @bufbuild/protoc-gen-es@latest',
    );
    writeFileSync(join(dir, 'pnpm-lock.yaml'), '');
    expect(await main(['upgrade', '--dry-run'], output, dir)).toBe(0);
    expect(out[1]).toMatch(/^\$ pnpm add -D @kratos\/cli@latest/);
  });
});
