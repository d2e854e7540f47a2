import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname, resolve } from 'node:path';
import { CliError, type Output } from '../errors.ts';

const pascal = (s: string) =>
  s
    .split(/[_\-.]/)
    .filter(Boolean)
    .map((p) => p[0]!.toUpperCase() + p.slice(1))
    .join('');

/**
 * The CRUD template of `kratos proto add api/<x>/v1/<x>.proto`, as Go Kratos writes it, plus
 * google.api.http bindings so the service is reachable over HTTP too.
 */
export function crudProto(path: string): string {
  const parts = path.replace(/\\/g, '/').split('/');
  const dirs = parts.slice(0, -1).filter((p) => p !== 'api' && p !== '.' && p !== '');
  const pkg = dirs.join('.').replace(/-/g, '_');
  const name = pascal(basename(path, '.proto'));
  const route = `/${[...dirs].reverse().slice(0, 1).join('')}/${basename(path, '.proto')}`.replace(
    /\/\//g,
    '/',
  );
  const goPkg = `${dirs.join('/')};${dirs[dirs.length - 1] ?? 'v1'}`;
  return `syntax = "proto3";

package ${pkg};

import "google/api/annotations.proto";

option go_package = "${goPkg}";
option java_multiple_files = true;
option java_package = "${pkg}";

service ${name} {
\trpc Create${name} (Create${name}Request) returns (Create${name}Reply) {
\t\toption (google.api.http) = { post: "${route}" body: "*" };
\t}
\trpc Update${name} (Update${name}Request) returns (Update${name}Reply) {
\t\toption (google.api.http) = { put: "${route}/{id}" body: "*" };
\t}
\trpc Delete${name} (Delete${name}Request) returns (Delete${name}Reply) {
\t\toption (google.api.http) = { delete: "${route}/{id}" };
\t}
\trpc Get${name} (Get${name}Request) returns (Get${name}Reply) {
\t\toption (google.api.http) = { get: "${route}/{id}" };
\t}
\trpc List${name} (List${name}Request) returns (List${name}Reply) {
\t\toption (google.api.http) = { get: "${route}" };
\t}
}

message Create${name}Request {}
message Create${name}Reply {}

message Update${name}Request {
\tstring id = 1;
}
message Update${name}Reply {}

message Delete${name}Request {
\tstring id = 1;
}
message Delete${name}Reply {}

message Get${name}Request {
\tstring id = 1;
}
message Get${name}Reply {}

message List${name}Request {}
message List${name}Reply {}
`;
}

/** `kratos proto add <path.proto>`. */
export function protoAdd(path: string, cwd: string, output: Output): void {
  if (!path?.endsWith('.proto'))
    throw new CliError(`want a path ending in .proto, e.g. api/user/v1/user.proto; got "${path ?? ''}"`, 2);
  const target = resolve(cwd, path);
  if (existsSync(target)) throw new CliError(`${target} already exists`);
  if (!/^[a-z][a-z0-9_]*$/i.test(basename(path, '.proto'))) {
    throw new CliError(`invalid proto name "${basename(path)}": use letters, digits and underscores`);
  }
  const text = crudProto(path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, text);
  output.out(`CREATED ${path} (${Buffer.byteLength(text)} bytes)`);
}
