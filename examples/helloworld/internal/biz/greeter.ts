import { type Context, createLogHelper, type Logger } from '@kratos/core';
import { errorUserNotFound } from '../../api/helloworld/v1/error_reason_errors.js';

/** The domain model of a greeting. */
export interface Greeter {
  hello: string;
}

/** What the data layer must provide; implemented in internal/data. */
export interface GreeterRepo {
  save(ctx: Context, g: Greeter): Promise<Greeter>;
  findByName(ctx: Context, name: string): Promise<Greeter | undefined>;
}

/** The greeter use cases. */
export interface GreeterUsecase {
  createGreeter(ctx: Context, g: Greeter): Promise<Greeter>;
}

/** Wires the use cases over a repository (what `wire` does in Go Kratos' layout). */
export function createGreeterUsecase(repo: GreeterRepo, logger: Logger): GreeterUsecase {
  const log = createLogHelper(logger);
  return {
    async createGreeter(ctx, g) {
      log.infof('CreateGreeter: %s', g.hello);
      const known = await repo.findByName(ctx, g.hello);
      if (!known) throw errorUserNotFound('user %s not found', g.hello);
      return repo.save(ctx, g);
    },
  };
}
