// Node names must resolve to 127.0.0.1 for `kubectl logs` (API server -> kubelet by hostname).
// Each line the harness adds carries a marker so teardown, or the next cluster:up after a
// crash, removes exactly those lines.
import { readFileSync, writeFileSync } from "node:fs";

const hostsFile = "/etc/hosts";
const marker = "# eraser-ts-test-ground";

export function addHost(name: string): void {
  const text = readFileSync(hostsFile, "utf8");
  const line = `127.0.0.1 ${name} ${marker}`;
  if (text.split("\n").includes(line)) return;
  writeFileSync(hostsFile, `${text.endsWith("\n") ? text : `${text}\n`}${line}\n`);
}

/** Removes the marked lines for `names`, or every marked line when `names` is undefined. */
export function removeHosts(names?: readonly string[]): void {
  const text = readFileSync(hostsFile, "utf8");
  const kept = text.split("\n").filter((line) => {
    if (!line.endsWith(marker)) return true;
    return names !== undefined && !names.some((name) => line === `127.0.0.1 ${name} ${marker}`);
  });
  const next = kept.join("\n");
  if (next !== text) writeFileSync(hostsFile, next);
}
