/**
 * Request-response over gRPC: other services read a user's profile with a typed call and a deadline
 * (the contract is proto/shop/user/v1/user.proto). Thin adapter: validate, run the query, map to the
 * message. See docs/patterns/02-request-response.md.
 */
import { Controller } from '@nestjs/common';
import { GrpcMethod } from '@nestjs/microservices';
import { type userV1 } from '@shop/contracts';
import { parseOrThrow } from '@shop/platform';
import { z } from 'zod';
import { GetUserHandler } from '../../application/queries/get-user.query';

const getUserRequest = z.object({ userId: z.uuid() });

@Controller()
export class UserGrpcController {
  constructor(private readonly getUser: GetUserHandler) {}

  /** NOT_FOUND for an unknown id, INVALID_ARGUMENT for one that is not a UUID (through the error table). */
  @GrpcMethod('UserService', 'GetUser')
  async getUserById(request: userV1.GetUserRequest): Promise<userV1.GetUserResponse> {
    const { userId } = parseOrThrow(getUserRequest, request, 'GetUser request');
    const user = await this.getUser.execute({ userId });
    return { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt.toISOString() };
  }
}
