// Kubernetes clients: from a kubeconfig file (--kubeconfig / KUBECONFIG) or in-cluster.
import { AppsV1Api, CoordinationV1Api, CoreV1Api, CustomObjectsApi, KubeConfig } from "@kubernetes/client-node";

export function loadKubeConfig(path?: string): KubeConfig {
  const kc = new KubeConfig();
  const file = path ?? process.env["KUBECONFIG"];
  if (file !== undefined && file !== "") kc.loadFromFile(file);
  else kc.loadFromCluster();
  return kc;
}

export interface Apis {
  core: CoreV1Api;
  custom: CustomObjectsApi;
  coordination: CoordinationV1Api;
  apps: AppsV1Api;
}

export function makeApis(kc: KubeConfig): Apis {
  return {
    core: kc.makeApiClient(CoreV1Api),
    custom: kc.makeApiClient(CustomObjectsApi),
    coordination: kc.makeApiClient(CoordinationV1Api),
    apps: kc.makeApiClient(AppsV1Api),
  };
}
