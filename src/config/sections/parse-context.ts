/** What a section parser gets besides its own variables. */
export interface ParseContext {
  /** `NODE_ENV=production`: some variables become required and some defaults turn safer. */
  readonly production: boolean;
  /**
   * Where a parser records what is wrong, so that every problem is reported at once. Each entry
   * starts with the names of the variables it is about and never quotes a value: some are secrets.
   */
  readonly problems: string[];
}
