export interface IssuedToken {
  readonly accessToken: string;
  /** Lifetime in seconds from now. */
  readonly expiresIn: number;
}

/** Issues signed access tokens that the gateway verifies. */
export interface TokenIssuer {
  issue(subject: { readonly userId: string }): Promise<IssuedToken>;
}
