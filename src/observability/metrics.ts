// Metrics under Eraser's names (SPEC §1.4), served for Prometheus at /metrics; the same registry
// feeds the OTLP exporter when manager.otlpEndpoint is set.
import { Counter, Histogram, Registry } from "prom-client";

export type JobMode = "manual" | "automatic";

export class ManagerMetrics {
  readonly registry = new Registry();
  readonly #imagesRemoved = new Counter({ name: "images_removed_run_total", help: "Images removed by worker pods", registers: [this.registry] });
  readonly #vulnerable = new Counter({ name: "vulnerable_images_run_total", help: "Vulnerable images found by the scanner", registers: [this.registry] });
  /** Beyond Eraser: what an alert on the scanner's memory limit or Java DB watches. */
  readonly #unjudged = new Counter({ name: "unjudged_images_run_total", help: "Images the scanner kept without a verdict (trivy killed, runtime unreachable, disk full, no Java DB, a failed scan not flagged, the total timeout)", registers: [this.registry] });
  readonly #duration = new Histogram({
    name: "imagejob_duration_run_seconds",
    help: "Duration of ImageJobs",
    labelNames: ["mode", "phase"],
    buckets: [10, 30, 60, 120, 300, 600, 1800, 3600, 7200],
    registers: [this.registry],
  });
  readonly #podsCompleted = new Counter({ name: "pods_completed_run_total", help: "Worker pods that succeeded", registers: [this.registry] });
  readonly #podsFailed = new Counter({ name: "pods_failed_run_total", help: "Worker pods that failed or timed out", registers: [this.registry] });
  readonly #jobs = new Counter({ name: "imagejob_run_total", help: "ImageJobs run", labelNames: ["mode", "phase"], registers: [this.registry] });

  jobStarted(mode: JobMode): void {
    this.#jobs.inc({ mode, phase: "Running" });
  }

  jobFinished(mode: JobMode, phase: "Completed" | "Failed", durationSeconds: number): void {
    this.#jobs.inc({ mode, phase });
    this.#duration.observe({ mode, phase }, durationSeconds);
  }

  podsCompleted(n: number): void {
    this.#podsCompleted.inc(n);
  }
  podsFailed(n: number): void {
    this.#podsFailed.inc(n);
  }
  imagesRemoved(n: number): void {
    this.#imagesRemoved.inc(n);
  }
  vulnerableImages(n: number): void {
    this.#vulnerable.inc(n);
  }
  unjudgedImages(n: number): void {
    this.#unjudged.inc(n);
  }
}
