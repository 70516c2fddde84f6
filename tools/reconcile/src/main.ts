#!/usr/bin/env node
import { EXIT, runReconcileCli } from './reconcile-cli';

runReconcileCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`reconcile: ${String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = EXIT.error;
  },
);
