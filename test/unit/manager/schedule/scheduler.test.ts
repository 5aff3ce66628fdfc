// The scheduler against an in-memory store and job table that behave like the cluster would:
// a "restart" is a new AutomaticScheduler over the same store and jobs.
import { describe, test } from "node:test";
import assert from "node:assert/strict";
import { AutomaticScheduler, type AutomaticJobs, type JobState, type ScheduleStore } from "../../../../src/manager/schedule/scheduler.ts";
import type { StoredSchedule } from "../../../../src/manager/schedule/state-codec.ts";
import { createLogger } from "../../../../src/observability/logger.ts";

const hour = 3_600_000;
const t0 = Date.parse("2026-11-23T00:00:00Z");

class World implements ScheduleStore, AutomaticJobs {
  now = t0;
  stored: StoredSchedule = { state: {} };
  jobs = new Map<string, JobState>();
  created: string[] = [];
  manualRunning = false;
  load(): Promise<StoredSchedule> {
    return Promise.resolve(structuredClone(this.stored));
  }
  save(stored: StoredSchedule): Promise<void> {
    this.stored = structuredClone(stored);
    return Promise.resolve();
  }
  anyJobRunning(): Promise<boolean> {
    return Promise.resolve(this.manualRunning || [...this.jobs.values()].includes("running"));
  }
  stateOf(name: string): Promise<JobState> {
    return Promise.resolve(this.jobs.get(name) ?? "absent");
  }
  createAutomaticJob(name: string): Promise<"created" | "exists"> {
    if (this.jobs.has(name)) return Promise.resolve("exists");
    this.jobs.set(name, "running");
    this.created.push(name);
    return Promise.resolve("created");
  }
  finishAll(): void {
    for (const name of this.jobs.keys()) this.jobs.set(name, "finished");
  }
}

function scheduler(world: World, beginImmediately: boolean): AutomaticScheduler {
  return new AutomaticScheduler({
    store: world,
    jobs: world,
    now: () => world.now,
    policy: () => ({ repeatIntervalMs: 24 * hour, beginImmediately }),
    logger: createLogger({ level: "silent" }),
  });
}

describe("automatic scheduler", () => {
  test("beginImmediately starts a job on the first tick; the next follows one interval after its end", async () => {
    const world = new World();
    const s = scheduler(world, true);
    await s.tick();
    assert.equal(world.created.length, 1);
    world.now += 2 * hour;
    world.finishAll();
    const wait = await s.tick();
    assert.equal(world.created.length, 1, "no second job before the interval");
    assert.equal(wait, 24 * hour, "next run is one interval after the end it just observed");
    world.now += 24 * hour;
    await s.tick();
    assert.equal(world.created.length, 2);
  });

  test("without beginImmediately the first job waits one interval, across a restart", async () => {
    const world = new World();
    await scheduler(world, false).tick();
    world.now += 10 * hour;
    await scheduler(world, false).tick();
    assert.equal(world.created.length, 0);
    world.now += 14 * hour;
    await scheduler(world, false).tick();
    assert.equal(world.created.length, 1);
  });

  test("a restart while a job runs neither duplicates it nor starts another", async () => {
    const world = new World();
    await scheduler(world, true).tick();
    world.now += 30 * hour; // long run, past the interval
    await scheduler(world, true).tick();
    await scheduler(world, true).tick();
    assert.equal(world.created.length, 1);
  });

  test("a crash between creating the job and recording it re-finds the same job", async () => {
    const world = new World();
    await scheduler(world, true).tick();
    const first = world.created[0]!;
    world.stored = { state: { firstSeenMs: t0 } }; // the save never happened
    world.now += 1000;
    await scheduler(world, true).tick();
    assert.deepEqual(world.created, [first], "the running job holds the scheduler back");
    world.now += hour;
    world.finishAll();
    await scheduler(world, true).tick();
    assert.deepEqual(world.created, [first], "same deterministic name: the job is re-found, not re-created");
    assert.equal(world.stored.lastJob, first);
    const wait = await scheduler(world, true).tick();
    assert.equal(wait, 24 * hour, "the adopted run's end starts the next interval");
  });

  test("a manual job holds back the automatic run until it ends", async () => {
    const world = new World();
    world.manualRunning = true;
    await scheduler(world, true).tick();
    assert.equal(world.created.length, 0);
    world.manualRunning = false;
    await scheduler(world, true).tick();
    assert.equal(world.created.length, 1);
  });

  test("automatic mode off: nothing is scheduled", async () => {
    const world = new World();
    const off = new AutomaticScheduler({ store: world, jobs: world, now: () => world.now, policy: () => undefined, logger: createLogger({ level: "silent" }) });
    await off.tick();
    assert.equal(world.created.length, 0);
  });
});
