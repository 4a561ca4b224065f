/**
 * Request-response over REST: the gateway calls this internal API synchronously and waits for the answer
 * (registration and profiles). Thin adapter: validate, run a handler, map the result.
 * See docs/patterns/02-request-response.md.
 */
import { Body, Controller, Get, HttpCode, Param, Post } from '@nestjs/common';
import { ZodPipe } from '@shop/platform';
import { z } from 'zod';
import { EMAIL_MAX_LENGTH } from '../../domain/email';
import { PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH } from '../../domain/password';
import { NAME_MAX_LENGTH } from '../../domain/user';
import { type RegisteredUser, RegisterUserHandler } from '../../application/commands/register-user.command';
import { GetUserHandler } from '../../application/queries/get-user.query';

/** Trimmed and lower case before the format check, so ` Alice@Example.com ` registers `alice@example.com`. */
export const emailSchema = z.string().trim().toLowerCase().max(EMAIL_MAX_LENGTH).pipe(z.email());

const registerUserBody = z.strictObject({
  email: emailSchema,
  password: z.string().min(PASSWORD_MIN_LENGTH).max(PASSWORD_MAX_LENGTH),
  name: z.string().trim().min(1).max(NAME_MAX_LENGTH),
});

const userIdParam = z.uuid();

export interface UserProfileResponse {
  readonly id: string;
  readonly email: string;
  readonly name: string;
  readonly createdAt: string;
}

@Controller('users')
export class UsersHttpController {
  constructor(
    private readonly registerUser: RegisterUserHandler,
    private readonly getUser: GetUserHandler,
  ) {}

  /** 201 `{id, email, name}`; 400 on bad input (nothing written); 409 USER.EMAIL_TAKEN. */
  @Post()
  @HttpCode(201)
  register(@Body(new ZodPipe(registerUserBody, 'registration')) body: z.infer<typeof registerUserBody>): Promise<RegisteredUser> {
    return this.registerUser.execute(body);
  }

  /** 200 the profile; 400 if the id is not a UUID; 404 USER.NOT_FOUND. */
  @Get(':id')
  async profile(@Param('id', new ZodPipe(userIdParam, 'user id')) id: string): Promise<UserProfileResponse> {
    const user = await this.getUser.execute({ userId: id });
    return { id: user.id, email: user.email, name: user.name, createdAt: user.createdAt.toISOString() };
  }
}
