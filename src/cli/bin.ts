#!/usr/bin/env node
/**
 * Process entry of the `emr-gateway` command: wires real stdout/stderr/env and signals into main().
 */
import { main } from './main.js';

const untilStopped = () =>
  new Promise<string>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });

// `emr-gateway validate … | head` closes the pipe early: that is not an error of the command.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
});

main(process.argv.slice(2), {
  out: (l) => process.stdout.write(`${l}\n`),
  err: (l) => process.stderr.write(`${l}\n`),
  env: process.env,
  untilStopped,
}).then((code) => {
  process.exitCode = code;
});
