// Kubeconfig files for the test ground's clients (admin, controller-manager, kubelets).
import { readFileSync, writeFileSync } from "node:fs";
import type { CertPair } from "./pki.ts";

export function writeKubeconfig(file: string, server: string, caFile: string, client: CertPair, user = "user"): void {
  const b64 = (path: string): string => readFileSync(path).toString("base64");
  const body = {
    apiVersion: "v1",
    kind: "Config",
    clusters: [{ name: "eraser-ts", cluster: { server, "certificate-authority-data": b64(caFile) } }],
    users: [{ name: user, user: { "client-certificate-data": b64(client.cert), "client-key-data": b64(client.key) } }],
    contexts: [{ name: "eraser-ts", context: { cluster: "eraser-ts", user } }],
    "current-context": "eraser-ts",
  };
  writeFileSync(file, JSON.stringify(body, null, 2), { mode: 0o600 });
}
