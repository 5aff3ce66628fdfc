// Runs one test tier (unit | integration | e2e) with Node's own test runner.
// Integration and e2e files share one machine-wide test ground, so they run one file at a time.
import { spawnSync } from "node:child_process";
import { globSync } from "node:fs";

const tiers = { unit: { concurrency: "2" }, integration: { concurrency: "1" }, e2e: { concurrency: "1" } } as const;
type Tier = keyof typeof tiers;

function isTier(value: string | undefined): value is Tier {
  return value !== undefined && Object.hasOwn(tiers, value);
}

const tier = process.argv[2];
if (!isTier(tier)) {
  console.error(`run-tier: unknown tier "${tier ?? ""}"; expected one of ${Object.keys(tiers).join(", ")}`);
  process.exit(2);
}
const files = globSync(`test/${tier}/**/*.test.ts`).sort();
if (files.length === 0) {
  console.log(`run-tier: no ${tier} test files yet`);
  process.exit(0);
}
const extra = process.argv.slice(3);
const result = spawnSync(
  process.execPath,
  ["--test", `--test-concurrency=${tiers[tier].concurrency}`, "--test-reporter=spec", ...extra, ...files],
  { stdio: "inherit", env: { ...process.env, ERASER_TS_TEST_TIER: tier } },
);
process.exit(result.status ?? 1);
