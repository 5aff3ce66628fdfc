// What every worker command sets up first: the CRI connection (with its version check), the
// exclusion patterns (failing closed), the worker's own images and its node's pods' images (never
// removed).
import { GrpcCriClient } from "../cri/grpc-client.ts";
import type { CriClient, RuntimeVersion } from "../cri/types.ts";
import { readExclusionDirectory } from "../exclusions/read.ts";
import { compileImagePattern, type ImagePattern } from "../images/match.ts";
import type { Logger } from "../observability/logger.ts";
import type { WorkerOptions } from "./args.ts";
import { runtimeMountsImages } from "./image-volume-support.ts";
import { MountImages } from "./mount-images.ts";
import { podImagePatterns } from "./pod-images.ts";

export interface WorkerContext {
  cri: CriClient;
  exclusions: ImagePattern[];
  selfImages: ImagePattern[];
  /** Images the node's pods name (ADR 0019). */
  podImages: ImagePattern[];
  /** What the node's containers mount as image volumes, asked once per container (ADR 0021). */
  mounts: MountImages;
  logger: Logger;
  options: WorkerOptions;
}

async function connect(endpoint: string, logger: Logger): Promise<{ cri: CriClient; version: RuntimeVersion }> {
  const cri = new GrpcCriClient(endpoint);
  try {
    const version = await cri.version();
    logger.info({ runtime: version.runtimeName, version: version.runtimeVersion, endpoint }, "Connected to container runtime");
    return { cri, version };
  } catch (error) {
    cri.close();
    throw error;
  }
}

export async function connectRuntime(endpoint: string, logger: Logger): Promise<CriClient> {
  return (await connect(endpoint, logger)).cri;
}

export async function loadExclusions(options: WorkerOptions, logger: Logger): Promise<ImagePattern[]> {
  const dir = options["exclusion-dir"] ?? options.exclusions;
  if (dir === undefined) return [];
  const patterns = await readExclusionDirectory(dir);
  logger.info({ dir, patterns }, "Loaded exclusion lists");
  return patterns.map(compileImagePattern);
}

export async function createContext(options: WorkerOptions, logger: Logger): Promise<WorkerContext> {
  // Exclusions first: a malformed list must stop the node before anything else happens.
  const exclusions = await loadExclusions(options, logger);
  const selfImages = options["self-image"].map(compileImagePattern);
  const podImages = podImagePatterns(options["pod-image"], logger);
  const { cri, version } = await connect(options["runtime-endpoint"], logger);
  const asksMounts = runtimeMountsImages(version);
  if (!asksMounts) logger.info({ runtime: version.runtimeName, version: version.runtimeVersion }, "This runtime has no image volumes (containerd before 2.1): container statuses are not asked for mounts");
  return { cri, exclusions, selfImages, podImages, mounts: new MountImages(cri, asksMounts), logger, options };
}
