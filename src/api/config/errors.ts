/** An invalid EraserConfig. `field` is the dotted path of the offending field ("" for the document). */
export class ConfigError extends Error {
  override readonly name = "ConfigError";
  readonly field: string;
  constructor(field: string, problem: string, options?: ErrorOptions) {
    super(field === "" ? `invalid EraserConfig: ${problem}` : `invalid EraserConfig field "${field}": ${problem}`, options);
    this.field = field;
  }
}
