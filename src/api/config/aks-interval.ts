// AKS Image Cleaner's knob (`az aks update --image-cleaner-interval-hours`): whole hours from 24
// to 2160 (90 days), default 168 (a week), mapped onto manager.scheduling.repeatInterval.

export const aksIntervalHours = { min: 24, max: 2160, default: 168 } as const;

export function intervalHoursToRepeatIntervalMs(hours: number = aksIntervalHours.default): number {
  if (!Number.isInteger(hours) || hours < aksIntervalHours.min || hours > aksIntervalHours.max) {
    throw new Error(
      `image cleaner interval must be a whole number of hours from ${aksIntervalHours.min} to ${aksIntervalHours.max}, got ${hours}`,
    );
  }
  return hours * 3_600_000;
}
