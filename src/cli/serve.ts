/**
 * `emr-gateway serve`: runs the HTTP server with the configuration from the environment (and
 * --config FILE), until SIGTERM/SIGINT.
 */
import { loadConfig } from '../config/index.js';
import { readConfigFile } from '../config/file.js';
import { startServer } from '../server.js';
import type { Registrar } from './main.js';

export const serveCommand: Registrar = (program, io) => {
  program
    .command('serve')
    .description('serve the gateway over HTTP (configuration from environment variables)')
    .option('--config <file>', 'JSON config file (same names as the environment variables)')
    .option('--port <port>', 'override PORT')
    .action(async (opts: { config?: string; port?: string }) => {
      const env: Record<string, string | undefined> = { ...io.env, ...(opts.port ? { PORT: opts.port } : {}) };
      const config = loadConfig(env, readConfigFile(opts.config ?? env.CONFIG_FILE));
      const running = await startServer(config, io.out);
      const signal = io.untilStopped ? await io.untilStopped() : await new Promise<string>(() => undefined);
      io.out(`${signal}: shutting down`);
      await running.close();
    });
};
