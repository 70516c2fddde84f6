#!/usr/bin/env node
import { runImportCli } from './import-cli';

runImportCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text),
  err: (text) => process.stderr.write(text),
}).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`import-one-api: ${String((error as Error)?.stack ?? error)}\n`);
    process.exitCode = 2;
  },
);
