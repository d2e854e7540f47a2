import type { Context } from '@kratos/core';
import type { Greeter, GreeterRepo } from '../biz/greeter.ts';
import type { DataStore } from './data.ts';

/**
 * The in-memory greeter repository. It knows every name except `unknown`, so the error path
 * (404 USER_NOT_FOUND) can be tried: `curl localhost:8000/helloworld/unknown`.
 */
export function createGreeterRepo(data: DataStore): GreeterRepo {
  return {
    async save(_ctx: Context, g: Greeter) {
      data.greeters.set(g.hello, g);
      return g;
    },
    async findByName(_ctx: Context, name: string) {
      if (name === 'unknown') return undefined;
      return data.greeters.get(name) ?? { hello: name };
    },
  };
}
