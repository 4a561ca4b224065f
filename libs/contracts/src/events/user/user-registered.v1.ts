import { type Envelope } from '../envelope';

export const USER_REGISTERED_V1 = 'user.registered.v1';
export interface UserRegisteredV1Data {
  readonly userId: string;
  readonly email: string;
  readonly name: string;
}
export type UserRegisteredV1 = Envelope<typeof USER_REGISTERED_V1, UserRegisteredV1Data>;
