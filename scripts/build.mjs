// Builds dist/: every file package.json points into dist/ (the `gatehouse` bin and the library's entry
// points) is bundled by esbuild from its module in src/, node_modules included; code the entry points
// share goes into chunks, and so does each module loaded with import() (nodemailer, the SigV4 signer, the
// gateway), which is read only when first used. Type checking is tsc's part of `npm run build`.
//
// Why: unbundled, Node resolved, read and compiled several hundred ESM and CommonJS files at every start
// (kysely alone is hundreds); bundled, `gatehouse serve` used about half the CPU to reach /ready and
// idled about 17 MB smaller (npm run bench -- idle startup).
//
// Native modules stay external, loaded from node_modules as before: better-sqlite3 and @node-rs/argon2
// find their binaries next to their own files, and pg (loaded only for PostgreSQL) may use pg-native.
import { build } from 'esbuild';
import { readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8'));

/** Every path in a bin, main or exports value (exports may nest conditions). */
function targets(value) {
  if (typeof value === 'string') return [value];
  return value && typeof value === 'object' ? Object.values(value).flatMap(targets) : [];
}

/** src/x/y.ts for each dist/x/y.js that package.json names. */
const entryPoints = [...new Set([pkg.bin, pkg.main, pkg.exports].flatMap(targets))]
  .filter((target) => /^(\.\/)?dist\/.+\.js$/.test(target))
  .map((target) => target.replace(/^(\.\/)?dist\//, 'src/').replace(/\.js$/, '.ts'));

rmSync(`${root}/dist`, { recursive: true, force: true });
await build({
  absWorkingDir: root,
  entryPoints,
  outbase: 'src',
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  external: ['better-sqlite3', '@node-rs/argon2', 'pg'],
  // Bundled CommonJS modules call require() for Node's built-ins; an ES module has none of its own.
  banner: { js: "import { createRequire as __gatehouseCreateRequire } from 'node:module';\nconst require = __gatehouseCreateRequire(import.meta.url);" },
  sourcemap: true,
  logLevel: 'warning',
});
