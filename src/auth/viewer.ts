/** The signed-in user, as established by a verified bearer token. */
export interface Viewer {
  /** Subject of the identity provider's token. */
  readonly subject: string | undefined;
  /** The Cobalt linked account id, taken from the configured claim and validated. */
  readonly linkedAccountId: string;
}
