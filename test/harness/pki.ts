// Test-ground certificates, made with openssl: one CA signs the API server's serving cert, client
// certs (admin, controller-manager, each kubelet) and each kubelet's serving cert. EC keys keep
// generation fast. A service-account key pair signs tokens.
import { execFileSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";

export interface CertPair {
  cert: string;
  key: string;
}

export interface Pki {
  dir: string;
  ca: CertPair;
  saKey: string;
  saPub: string;
  issue(name: string, subject: string, sans?: string[]): CertPair;
}

function openssl(args: string[]): void {
  execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
}

/** The PKI of an existing test ground (to issue certs for nodes added later). */
export function existingPki(dir: string): Pki {
  return withIssuer(dir, { cert: join(dir, "ca.crt"), key: join(dir, "ca.key") }, join(dir, "sa.key"), join(dir, "sa.pub"));
}

export function createPki(dir: string): Pki {
  const ca = { cert: join(dir, "ca.crt"), key: join(dir, "ca.key") };
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", ca.key]);
  openssl(["req", "-x509", "-new", "-key", ca.key, "-out", ca.cert, "-days", "3650", "-subj", "/CN=eraser-ts-test-ca"]);
  const saKey = join(dir, "sa.key");
  const saPub = join(dir, "sa.pub");
  openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", saKey]);
  openssl(["ec", "-in", saKey, "-pubout", "-out", saPub]);
  return withIssuer(dir, ca, saKey, saPub);
}

function withIssuer(dir: string, ca: CertPair, saKey: string, saPub: string): Pki {
  const issue = (name: string, subject: string, sans: string[] = []): CertPair => {
    const pair = { cert: join(dir, `${name}.crt`), key: join(dir, `${name}.key`) };
    const csr = join(dir, `${name}.csr`);
    const ext = join(dir, `${name}.ext`);
    openssl(["ecparam", "-name", "prime256v1", "-genkey", "-noout", "-out", pair.key]);
    openssl(["req", "-new", "-key", pair.key, "-out", csr, "-subj", subject]);
    const lines = ["keyUsage=critical,digitalSignature,keyEncipherment", "extendedKeyUsage=serverAuth,clientAuth"];
    if (sans.length > 0) lines.push(`subjectAltName=${sans.join(",")}`);
    writeFileSync(ext, `${lines.join("\n")}\n`);
    openssl(["x509", "-req", "-in", csr, "-CA", ca.cert, "-CAkey", ca.key, "-set_serial", String(Date.now() * 1000 + Math.floor(Math.random() * 1000)), "-out", pair.cert, "-days", "365", "-extfile", ext]);
    return pair;
  };
  return { dir, ca, saKey, saPub, issue };
}
