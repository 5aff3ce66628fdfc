// The control plane on loopback: etcd (Debian), kube-apiserver, kube-controller-manager and
// kube-scheduler (built from the Kubernetes Go module), with RBAC + Node authorisation and
// NodeRestriction, so ServiceAccounts, tokens, owner-reference garbage collection and the
// scheduling of a Deployment's pods are the real thing.
import { mkdirSync, writeFileSync } from "node:fs";
import { z } from "zod";
import { request } from "node:https";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { writeKubeconfig } from "./kubeconfig.ts";
import { bin } from "./paths.ts";
import { createPki, type CertPair, type Pki } from "./pki.ts";
import { freePort, startDaemon, stopPid, waitFor, type Daemon } from "./process.ts";

export interface ControlPlane {
  dir: string;
  server: string;
  port: number;
  pki: Pki;
  admin: CertPair;
  kubeconfigPath: string;
  daemons: Daemon[];
}

const serviceRange = "10.96.0.0/24";

export async function startControlPlane(dir: string): Promise<ControlPlane> {
  mkdirSync(join(dir, "pki"), { recursive: true });
  mkdirSync(join(dir, "logs"), { recursive: true });
  const pki = createPki(join(dir, "pki"));
  const [etcdPort, etcdPeerPort, apiPort, kcmPort, schedulerPort] = await Promise.all([freePort(), freePort(), freePort(), freePort(), freePort()]);
  const server = `https://127.0.0.1:${apiPort}`;
  const admin = pki.issue("admin", "/O=system:masters/CN=admin");
  const apiserverCert = pki.issue("apiserver", "/CN=kube-apiserver", [
    "IP:127.0.0.1",
    "DNS:localhost",
    "IP:10.96.0.1",
    "DNS:kubernetes",
    "DNS:kubernetes.default",
    "DNS:kubernetes.default.svc",
    "DNS:kubernetes.default.svc.cluster.local",
  ]);
  const apiserverKubeletClient = pki.issue("apiserver-kubelet-client", "/O=system:masters/CN=kube-apiserver-kubelet-client");
  const kubeconfigPath = join(dir, "admin.kubeconfig");
  writeKubeconfig(kubeconfigPath, server, pki.ca.cert, admin, "admin");

  const daemons: Daemon[] = [];
  const etcd = startDaemon("etcd", bin.etcd, [
    "--name=default",
    `--data-dir=${join(dir, "etcd")}`,
    `--listen-client-urls=http://127.0.0.1:${etcdPort}`,
    `--advertise-client-urls=http://127.0.0.1:${etcdPort}`,
    `--listen-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
    `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeerPort}`,
    `--initial-cluster=default=http://127.0.0.1:${etcdPeerPort}`,
    "--log-level=warn",
  ], { logFile: join(dir, "logs", "etcd.log") });
  daemons.push(etcd);
  await waitFor("etcd health", () => httpGetOk(`http://127.0.0.1:${etcdPort}/health`), { timeoutMs: 30_000, daemon: etcd });

  const apiserverArgs = [
    `--etcd-servers=http://127.0.0.1:${etcdPort}`,
    "--bind-address=127.0.0.1",
    "--advertise-address=127.0.0.1",
    `--secure-port=${apiPort}`,
    "--endpoint-reconciler-type=none",
    `--tls-cert-file=${apiserverCert.cert}`,
    `--tls-private-key-file=${apiserverCert.key}`,
    `--client-ca-file=${pki.ca.cert}`,
    "--authorization-mode=Node,RBAC",
    "--enable-admission-plugins=NodeRestriction",
    `--service-account-key-file=${pki.saPub}`,
    `--service-account-signing-key-file=${pki.saKey}`,
    "--service-account-issuer=https://kubernetes.default.svc.cluster.local",
    `--service-cluster-ip-range=${serviceRange}`,
    `--kubelet-client-certificate=${apiserverKubeletClient.cert}`,
    `--kubelet-client-key=${apiserverKubeletClient.key}`,
    `--kubelet-certificate-authority=${pki.ca.cert}`,
    "--kubelet-preferred-address-types=Hostname",
    "--allow-privileged=true",
    "--profiling=false",
    "--v=1",
  ];
  // Kept for restartApiServer, which another process (a test file) may call.
  writeFileSync(join(dir, apiserverArgsFile), JSON.stringify(apiserverArgs));
  const plane: ControlPlane = { dir, server, port: apiPort, pki, admin, kubeconfigPath, daemons };
  daemons.push(await startApiServer(plane, apiserverArgs));

  const kcm = startDaemon("kube-controller-manager", bin.kubeControllerManager, [
    `--kubeconfig=${kubeconfigPath}`,
    `--authentication-kubeconfig=${kubeconfigPath}`,
    `--authorization-kubeconfig=${kubeconfigPath}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${kcmPort}`,
    "--controllers=*,-nodeipam",
    "--use-service-account-credentials=true",
    `--root-ca-file=${pki.ca.cert}`,
    `--service-account-private-key-file=${pki.saKey}`,
    `--cluster-signing-cert-file=${pki.ca.cert}`,
    `--cluster-signing-key-file=${pki.ca.key}`,
    "--leader-elect=false",
    "--v=1",
  ], { logFile: join(dir, "logs", "kube-controller-manager.log") });
  daemons.push(kcm);
  const scheduler = startDaemon("kube-scheduler", bin.kubeScheduler, [
    `--kubeconfig=${kubeconfigPath}`,
    `--authentication-kubeconfig=${kubeconfigPath}`,
    `--authorization-kubeconfig=${kubeconfigPath}`,
    "--bind-address=127.0.0.1",
    `--secure-port=${schedulerPort}`,
    "--leader-elect=false",
    "--v=1",
  ], { logFile: join(dir, "logs", "kube-scheduler.log") });
  daemons.push(scheduler);
  // Pods are refused until the ServiceAccount controller has made the namespace's default account.
  await waitFor("the default ServiceAccount", () => apiGetOk(plane, "/api/v1/namespaces/default/serviceaccounts/default"), {
    timeoutMs: 90_000,
    daemon: kcm,
  });
  return plane;
}

const apiserverArgsFile = "kube-apiserver.args.json";

async function startApiServer(plane: Pick<ControlPlane, "dir" | "port" | "pki" | "admin">, args: string[]): Promise<Daemon> {
  const apiserver = startDaemon("kube-apiserver", bin.kubeApiserver, args, { logFile: join(plane.dir, "logs", "kube-apiserver.log") });
  await waitFor("kube-apiserver /readyz", () => apiGetOk(plane, "/readyz"), { timeoutMs: 90_000, daemon: apiserver });
  return apiserver;
}

/**
 * Stops the API server (SIGTERM, as an upgrade or a control-plane move does: every watch and
 * request ends), starts it again with the same flags on the same port, and returns its new pid
 * once it is ready. etcd, and so every object, stays.
 */
export async function restartApiServer(plane: Pick<ControlPlane, "dir" | "port" | "pki" | "admin">, pid: number): Promise<number> {
  const args = z.array(z.string()).parse(JSON.parse(readFileSync(join(plane.dir, apiserverArgsFile), "utf8")));
  await stopPid(pid);
  return (await startApiServer(plane, args)).pid;
}

function httpGetOk(url: string): Promise<boolean> {
  return fetch(url, { signal: AbortSignal.timeout(2000) }).then((r) => r.ok);
}

/** GET against the API server as admin; true on 2xx. */
export function apiGetOk(plane: Pick<ControlPlane, "port" | "pki" | "admin">, path: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = request(
      {
        host: "127.0.0.1",
        port: plane.port,
        path,
        method: "GET",
        ca: readFileSync(plane.pki.ca.cert),
        cert: readFileSync(plane.admin.cert),
        key: readFileSync(plane.admin.key),
        timeout: 3000,
      },
      (res) => {
        res.resume();
        resolve(res.statusCode !== undefined && res.statusCode >= 200 && res.statusCode < 300);
      },
    );
    req.on("error", () => {
      resolve(false);
    });
    req.on("timeout", () => {
      req.destroy();
      resolve(false);
    });
    req.end();
  });
}
