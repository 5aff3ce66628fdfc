// What to do about a list or watch the API server refuses, for the informer's log. The refusal
// alone says too little: a refused watch reaches us as "Forbidden" with no body (client-node's
// Watch keeps only the status line), and a custom resource whose CRD is missing as "the server
// could not find the requested resource".
import { statusCode } from "./errors.ts";

export function refusalHint(error: unknown, path: string): string | undefined {
  const status = statusCode(error);
  if (status === 403) return `the API server does not let the manager list and watch ${path}: its ServiceAccount needs get, list and watch there (deploy/rbac.yaml, or the chart's roles)`;
  if (status !== 404) return undefined;
  if (path.startsWith("/apis/eraser.sh/")) return `the API server does not serve ${path}: the eraser.sh CRDs are not installed (kubectl apply -f crds/, or install the chart)`;
  return `the API server does not serve ${path}`;
}
