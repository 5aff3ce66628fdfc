// Image lists at the size limits of a ConfigMap (1 MiB) and of etcd (~1.5 MiB a request), for the
// tests of ADR 0025.
import { randomBytes } from "node:crypto";

/** References of a registry's many teams: 16,000 are ~1.1 MB of JSON, and compress well. */
export const manyTeamsImages = (count = 16_000): string[] => Array.from({ length: count }, (_, i) => `registry.example.test/team-${i}/service-name-${i}:v1.2.3-build-${i}`);

/**
 * Valid references with random tags, which do not compress (gzip keeps ~70%). 11,600 are ~1.54 MB
 * of JSON, which etcd still stores, and ~1.07 MB gzipped, above a ConfigMap's 1 MiB.
 */
export const randomTagImages = (count = 11_600): string[] => Array.from({ length: count }, () => `r.test/a:t${randomBytes(90).toString("base64url")}`);
