/** An account as other services learn of it: never the password hash. */
export interface RegisteredAccount {
  readonly id: string;
  readonly email: string;
  readonly name: string;
}

/**
 * The facts the user service tells other services. Written inside the transaction of the change they report
 * (unit-of-work.port.ts), so a fact is published if and only if the change committed.
 */
export interface UserEvents {
  /** A new account exists (`user.registered.v1`). */
  registered(account: RegisteredAccount): Promise<void>;
}
