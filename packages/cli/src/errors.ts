/** A mistake of the user's: printed as one line, exit status 1 (2 for usage errors). */
export class CliError extends Error {
  readonly exitCode: number;
  constructor(message: string, exitCode = 1) {
    super(message);
    this.exitCode = exitCode;
  }
  override get name(): string {
    return 'CliError';
  }
}

/** Something to print; tests pass their own. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** stdout/stderr. */
export const consoleOutput: Output = {
  out: (line) => process.stdout.write(`${line}\n`),
  err: (line) => process.stderr.write(`${line}\n`),
};
