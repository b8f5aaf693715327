import { parseArgs } from 'node:util';

export interface BenchOptions {
  quick: boolean;
  /** Scenario names are matched by substring; empty runs them all. */
  filters: string[];
  list: boolean;
  /** Throw away cached seeded data (the ListUsers pools) and seed again. */
  reseed: boolean;
  /** Start the Gatehouse child with --cpu-prof, profiles written here. */
  profileDir?: string;
  /** More Node flags for the Gatehouse children (--server-flag, repeatable). */
  serverFlags: string[];
  output: string;
  /** argon2id memory of every server in the run, in KiB, instead of Gatehouse's default (an experiment, not the targets). */
  argon2MemoryKiB?: number;
}

export const USAGE = `Usage: npm run bench -- [options] [name-filter ...]

  --quick          short smoke run (~20 s): fewer, shorter rounds
  --list           list the scenarios and exit
  --profile        run the Gatehouse children with --cpu-prof (profiles in .bench/profiles)
  --server-flag FLAG
                   start every Gatehouse child with this Node flag too (repeatable), e.g. --server-flag=--perf-basic-prof
                   so that perf record names JavaScript functions
  --reseed         seed the ListUsers pools again instead of using the cached ones (.bench/seeded, gh_bench_users_* schemas)
  --output FILE    where to write the JSON results (default .bench/results.json)
  --argon2-memory KIB
                   argon2id memory of every server in the run instead of the default 19456 (as Gatehouse's config takes it):
                   for seeing what the hash's size does to the rest of a request; targets do not apply
  name-filter      run only scenarios whose name contains one of these, e.g. "describe" or "postgres"
`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      quick: { type: 'boolean', default: false },
      list: { type: 'boolean', default: false },
      reseed: { type: 'boolean', default: false },
      profile: { type: 'boolean', default: false },
      output: { type: 'string', default: '.bench/results.json' },
      'argon2-memory': { type: 'string' },
      'server-flag': { type: 'string', multiple: true, default: [] },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) {
    process.stdout.write(USAGE);
    process.exit(0);
  }
  return {
    argon2MemoryKiB: values['argon2-memory'] === undefined ? undefined : Number(values['argon2-memory']),
    quick: values.quick,
    filters: positionals,
    list: values.list,
    reseed: values.reseed,
    profileDir: values.profile ? '.bench/profiles' : undefined,
    serverFlags: values['server-flag'],
    output: values.output,
  };
}
