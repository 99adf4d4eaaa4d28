import { loadConfig, type Config } from '../config.js';
import { createRuntime, type Runtime } from '../runtime.js';

/** Runs `fn` with a runtime built from the environment, and closes it after. */
export async function withRuntime<T>(
  fn: (runtime: Runtime) => Promise<T>,
  config: Config = loadConfig(),
): Promise<T> {
  const runtime = createRuntime(config, { poolSize: 4 });
  try {
    return await fn(runtime);
  } finally {
    await runtime.close();
  }
}
