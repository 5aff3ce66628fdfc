// The profiler endpoint on this process: a real V8 inspector session behind a real HTTP server.
import { after, before, describe, test } from "node:test";
import assert from "node:assert/strict";
import { connect } from "node:net";
import { networkInterfaces } from "node:os";
import { createLogger } from "../../../src/observability/logger.ts";
import { profileSeconds, startProfiler, type Profiler } from "../../../src/observability/profiler.ts";

interface CallFrame {
  functionName: string;
}
interface CpuProfile {
  nodes: { callFrame: CallFrame }[];
  samples: number[];
  startTime: number;
  endTime: number;
}
interface HeapNode {
  callFrame: CallFrame;
  selfSize: number;
  children: HeapNode[];
}

let profiler: Profiler;
const base = (): string => `http://127.0.0.1:${profiler.port}/debug/pprof`;
const retained: number[][] = [];

function burnCpuForProfilerTest(ms: number): number {
  const until = Date.now() + ms;
  let x = 0;
  while (Date.now() < until) x += Math.sqrt(x + 1);
  return x;
}

function allocateForProfilerTest(): void {
  for (let i = 0; i < 200; i++) retained.push(new Array<number>(10_000).fill(i));
}

function heapFunctionNames(node: HeapNode, out = new Set<string>()): Set<string> {
  if (node.selfSize > 0) out.add(node.callFrame.functionName);
  for (const child of node.children) heapFunctionNames(child, out);
  return out;
}

before(async () => {
  profiler = await startProfiler({ port: 0, logger: createLogger({ level: "silent" }) });
});
after(async () => {
  await profiler.close();
});

describe("profiler endpoint", () => {
  test("a CPU profile over the requested seconds shows what this process ran", async () => {
    const response = fetch(`${base()}/profile?seconds=1`);
    await new Promise((r) => setTimeout(r, 100));
    burnCpuForProfilerTest(600);
    const res = await response;
    assert.equal(res.status, 200);
    const profile = (await res.json()) as CpuProfile;
    assert.ok(profile.samples.length > 0, "samples were taken");
    const seconds = (profile.endTime - profile.startTime) / 1e6;
    assert.ok(seconds >= 0.9 && seconds < 3, `profiled ${seconds} s`);
    assert.ok(profile.nodes.some((n) => n.callFrame.functionName === "burnCpuForProfilerTest"), "the busy function is in the profile");
  });

  test("one CPU profile at a time", async () => {
    const first = fetch(`${base()}/profile?seconds=1`);
    await new Promise((r) => setTimeout(r, 100));
    const second = await fetch(`${base()}/profile?seconds=1`);
    assert.equal(second.status, 409);
    assert.equal((await first).status, 200);
  });

  test("the heap profile holds allocations made since start-up that are still live", async () => {
    allocateForProfilerTest();
    const res = await fetch(`${base()}/heap`);
    assert.equal(res.status, 200);
    const profile = (await res.json()) as { head: HeapNode };
    assert.ok(heapFunctionNames(profile.head).has("allocateForProfilerTest"));
  });

  test("a bad seconds value is refused with the reason", async () => {
    for (const bad of ["0", "301", "1.5", "soon"]) {
      const res = await fetch(`${base()}/profile?seconds=${bad}`);
      assert.equal(res.status, 400);
      assert.match(await res.text(), new RegExp(`seconds must be a whole number from 1 to 300, got "${bad.replace(".", "\\.")}"`));
    }
    assert.equal(profileSeconds(new URLSearchParams()), 30);
  });

  test("it listens on loopback only", async (t) => {
    const external = Object.values(networkInterfaces())
      .flat()
      .find((a) => a?.family === "IPv4" && !a.internal);
    if (external === undefined) {
      t.skip("this machine has no non-loopback IPv4 address");
      return;
    }
    const refused = await new Promise<boolean>((resolve) => {
      const socket = connect(profiler.port, external.address);
      socket.once("connect", () => {
        socket.destroy();
        resolve(false);
      });
      socket.once("error", () => {
        resolve(true);
      });
    });
    assert.ok(refused, `nothing answers on ${external.address}:${profiler.port}`);
  });
});
