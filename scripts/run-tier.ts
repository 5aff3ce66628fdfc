// Runs one test tier (unit | integration | e2e) with Node's own test runner. Integration and e2e
// files share one test ground (control plane + 2 real nodes) that this runner starts first and
// always tears down; they run one file at a time because they share cluster-scoped objects.
// Test files named after the tier run alone (`node scripts/run-tier.ts e2e test/e2e/x.test.ts`);
// other arguments go to the test runner.
import { spawn } from "node:child_process";
import { globSync } from "node:fs";
import { join } from "node:path";
import { tmpdir } from "node:os";
import { startCluster, type TestCluster } from "../test/harness/cluster.ts";
import { newTmpEntries, projectTmpEntries } from "./tmp-leftovers.ts";

const tiers = { unit: { concurrency: 2, cluster: false }, integration: { concurrency: 1, cluster: true }, e2e: { concurrency: 1, cluster: true } } as const;
type Tier = keyof typeof tiers;

function isTier(value: string | undefined): value is Tier {
  return value !== undefined && Object.hasOwn(tiers, value);
}

function runTests(files: string[], concurrency: number, env: NodeJS.ProcessEnv): Promise<number> {
  const args = ["--test", `--test-concurrency=${concurrency}`, "--test-reporter=spec", ...runnerArgs, ...files];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: "inherit", env });
    child.on("exit", (code) => {
      resolve(code ?? 1);
    });
  });
}

const tier = process.argv[2];
if (!isTier(tier)) {
  console.error(`run-tier: unknown tier "${tier ?? ""}"; expected one of ${Object.keys(tiers).join(", ")}`);
  process.exit(2);
}
const extraArgs = process.argv.slice(3);
const namedFiles = extraArgs.filter((a) => a.endsWith(".test.ts"));
const runnerArgs = extraArgs.filter((a) => !a.endsWith(".test.ts"));
const files = namedFiles.length > 0 ? namedFiles : globSync(`test/${tier}/**/*.test.ts`).sort();
if (files.length === 0) {
  console.log(`run-tier: no ${tier} test files yet`);
  process.exit(0);
}
const tmpBefore = projectTmpEntries();
let cluster: TestCluster | undefined;
const env: NodeJS.ProcessEnv = { ...process.env, ERASER_TS_TEST_TIER: tier };
if (tiers[tier].cluster) {
  const started = Date.now();
  cluster = await startCluster({ nodes: 2 });
  env["ERASER_TS_CLUSTER_DIR"] = cluster.dir;
  console.log(`run-tier: test ground up in ${((Date.now() - started) / 1000).toFixed(1)} s (${cluster.dir})`);
}
const stop = async (): Promise<void> => {
  if (cluster !== undefined) await cluster.stop();
  cluster = undefined;
};
for (const signal of ["SIGINT", "SIGTERM"] as const) {
  process.once(signal, () => {
    void stop().finally(() => process.exit(130));
  });
}
const code = await runTests(files, tiers[tier].concurrency, env);
await stop();
const leftovers = newTmpEntries(tmpBefore);
if (leftovers.length > 0) {
  console.error(`run-tier: the ${tier} tests left ${leftovers.length} entries in ${tmpdir()}; each test must remove what it makes:`);
  for (const name of leftovers) console.error(`  ${join(tmpdir(), name)}`);
}
process.exit(code !== 0 ? code : leftovers.length > 0 ? 1 : 0);
