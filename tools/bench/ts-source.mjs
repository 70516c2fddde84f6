// Loads the repository's TypeScript sources in a plain Node process (commonjs, compiled by
// @swc/core as Jest does), with `@oneapi/<lib>` mapped to `<root>/libs/<lib>/src`. For the
// in-process micro-benchmarks; not used by the services.
import { readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * Installs the `.ts` loader once. `root`: the checkout whose sources load (another worktree for an
 * A/B); packages always resolve from this checkout. Returns `require` and `loadAs(source, filename)`
 * (a module compiled from `source` as if it were `filename`, e.g. an older revision's file).
 */
export function typeScriptSources(root = here) {
  const require = createRequire(join(here, 'package.json'));
  const swc = require('@swc/core');
  const toJs = (source, filename) =>
    swc.transformSync(source, {
      filename,
      jsc: { parser: { syntax: 'typescript', decorators: true }, transform: { legacyDecorator: true, decoratorMetadata: true }, target: 'es2022', keepClassNames: true },
      module: { type: 'commonjs' },
    }).code;
  const resolveFilename = Module._resolveFilename;
  Module._resolveFilename = function (request, ...rest) {
    const m = /^@oneapi\/([a-z]+)$/.exec(request);
    return resolveFilename.call(this, m ? join(root, 'libs', m[1], 'src/index.ts') : request, ...rest);
  };
  require.extensions['.ts'] = (mod, filename) => mod._compile(toJs(readFileSync(filename, 'utf8'), filename), filename);
  if (root !== here) {
    // Sources outside this checkout resolve packages from here.
    process.env.NODE_PATH = join(here, 'node_modules');
    Module._initPaths();
  }
  const loadAs = (source, filename) => {
    const mod = new Module(filename, null);
    mod.filename = filename;
    mod.paths = Module._nodeModulePaths(dirname(filename));
    mod._compile(toJs(source, filename), filename);
    return mod.exports;
  };
  return { require, loadAs };
}
