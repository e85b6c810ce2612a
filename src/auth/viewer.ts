/** The signed-in user, as established by a verified bearer token. */
export interface Viewer {
  /** Subject of the identity provider's token. */
  readonly subject: string | undefined;
  /** The Cobalt linked account id, taken from the configured claim and validated. */
  readonly linkedAccountId: string;
  /**
   * What the token says about the user for provisioning their linked account (AUTH_NAME_CLAIM,
   * AUTH_UDF_CLAIMS). Claims that are absent or fail validation are left out, not refused.
   */
  readonly profile: ViewerProfile;
}

export interface ViewerProfile {
  readonly name?: string;
  readonly udf: Readonly<Record<string, string | number | boolean>>;
}
