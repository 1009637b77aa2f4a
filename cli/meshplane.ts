#!/usr/bin/env node
// Entry of the meshplane CLI (bundled into one file by scripts/build-cli.mjs).
import { main } from './main';

main(process.argv.slice(2), {
  out: (s) => process.stdout.write(s),
  err: (s) => process.stderr.write(s),
  env: process.env,
}).then((code) => { process.exitCode = code; });
