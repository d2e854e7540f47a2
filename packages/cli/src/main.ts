import { type ParseArgsConfig, parseArgs } from 'node:util';
import { newProject } from './commands/new.ts';
import { newAdapter } from './commands/new-adapter.ts';
import { protoAdd } from './commands/proto-add.ts';
import { protoClient } from './commands/proto-client.ts';
import { protoServer } from './commands/proto-server.ts';
import { run } from './commands/run.ts';
import { upgrade } from './commands/upgrade.ts';
import { CliError, consoleOutput, type Output } from './errors.ts';
import { ownManifest } from './paths.ts';

const USAGE = `kratos: an elegant toolkit for TypeScript microservices

Usage:
  kratos new <name> [-r <git url or folder>] [-b <branch>] [--nomod]   create a service from the layout template
            [--link <kratos-ts checkout>|workspace]                     depend on a checkout's packages (kratos-ts development)
  kratos new --adapter <kind>-<name> [package name] [--link ...]      lay out an adapter package (kind: registry, config,
                                                                      codec, logger) whose npm test runs the testkit contract suite
  kratos proto add <api/x/v1/x.proto>                                 add a CRUD proto template
  kratos proto client <proto file or folder>                          generate code (messages, http, grpc, errors, openapi)
  kratos proto server <proto file> [-t internal/service]              generate service implementation stubs
  kratos run [name] [--workers N|auto] [-- args]                      run cmd/<name>/main.ts, restarting on change
  kratos upgrade [--dry-run]                                          update the tool packages
  kratos --version | --help`;

function version(): string {
  return ownManifest().version;
}

type Values = Record<string, string | boolean | undefined>;

function parse(
  args: string[],
  options: ParseArgsConfig['options'],
): { values: Values; positionals: string[] } {
  try {
    const r = parseArgs({ args, options, allowPositionals: true, strict: true });
    return { values: r.values as Values, positionals: r.positionals };
  } catch (e) {
    throw new CliError(`${(e as Error).message.split('\n')[0]} (see kratos --help)`, 2);
  }
}

/** Runs the CLI; returns the exit status. Errors of the user's are one line on stderr. */
export async function main(
  argv: string[],
  output: Output = consoleOutput,
  cwd = process.cwd(),
): Promise<number> {
  try {
    const [command, ...rest] = argv;
    switch (command) {
      case undefined:
      case '-h':
      case '--help':
      case 'help':
        output.out(USAGE);
        return 0;
      case '-v':
      case '--version':
      case 'version':
        output.out(`kratos version v${version()}`);
        return 0;
      case 'new': {
        const { values, positionals } = parse(rest, {
          repo: { type: 'string', short: 'r' },
          branch: { type: 'string', short: 'b' },
          nomod: { type: 'boolean', default: false },
          link: { type: 'string' },
          adapter: { type: 'string' },
        });
        if (values.adapter !== undefined) {
          if (positionals.length > 1)
            throw new CliError('kratos new --adapter takes at most one package name', 2);
          if (values.repo !== undefined || values.branch !== undefined || values.nomod)
            throw new CliError('kratos new --adapter takes no -r, -b or --nomod (they are for services)', 2);
          newAdapter(
            {
              spec: values.adapter as string,
              packageName: positionals[0],
              cwd,
              link: values.link as string | undefined,
            },
            output,
          );
          return 0;
        }
        if (positionals.length !== 1)
          throw new CliError('kratos new takes one project name, e.g. kratos new helloworld', 2);
        newProject(
          {
            name: positionals[0]!,
            cwd,
            repo: values.repo as string | undefined,
            branch: values.branch as string | undefined,
            nomod: values.nomod as boolean,
            link: values.link as string | undefined,
          },
          output,
        );
        return 0;
      }
      case 'proto': {
        const [sub, ...more] = rest;
        if (sub === 'add') {
          const { positionals } = parse(more, {});
          protoAdd(positionals[0]!, cwd, output);
          return 0;
        }
        if (sub === 'client') {
          const { positionals } = parse(more, {});
          if (positionals.length !== 1)
            throw new CliError('kratos proto client takes one proto file or folder', 2);
          await protoClient(positionals[0]!, cwd, output);
          return 0;
        }
        if (sub === 'server') {
          const { values, positionals } = parse(more, {
            target: { type: 'string', short: 't', default: 'internal/service' },
          });
          if (positionals.length !== 1) throw new CliError('kratos proto server takes one proto file', 2);
          await protoServer(positionals[0]!, values.target as string, cwd, output);
          return 0;
        }
        throw new CliError(`unknown proto command "${sub ?? ''}": want add, client or server`, 2);
      }
      case 'run': {
        const dash = rest.indexOf('--');
        const own = dash === -1 ? rest : rest.slice(0, dash);
        const extra = dash === -1 ? [] : rest.slice(dash + 1);
        const { values, positionals } = parse(own, { workers: { type: 'string' } });
        return await run(
          { name: positionals[0], cwd, extra, workers: values.workers as string | undefined },
          output,
        );
      }
      case 'upgrade': {
        const { values } = parse(rest, { 'dry-run': { type: 'boolean', default: false } });
        upgrade(cwd, values['dry-run'] as boolean, output);
        return 0;
      }
      default:
        throw new CliError(`unknown command "${command}" (see kratos --help)`, 2);
    }
  } catch (e) {
    if (e instanceof CliError) {
      output.err(`kratos: ${e.message}`);
      return e.exitCode;
    }
    output.err(`kratos: ${(e as Error)?.message ?? String(e)}`);
    return 1;
  }
}
