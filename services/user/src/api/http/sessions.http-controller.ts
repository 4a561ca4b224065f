/**
 * Request-response over REST: the gateway exchanges credentials for an access token and waits for it.
 * Thin adapter: validate, run the log-in handler, return its session. See docs/patterns/02-request-response.md.
 */
import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ZodPipe } from '@shop/platform';
import { z } from 'zod';
import { PASSWORD_MAX_LENGTH } from '../../domain/password';
import { LogInHandler, type Session } from '../../application/commands/log-in.command';
import { emailSchema } from './users.http-controller';

// No minimum length here: a short wrong password is a failed login (401), not a malformed request.
const logInBody = z.strictObject({
  email: emailSchema,
  password: z.string().min(1).max(PASSWORD_MAX_LENGTH),
});

@Controller('sessions')
export class SessionsHttpController {
  constructor(private readonly logIn: LogInHandler) {}

  /** 200 `{accessToken, tokenType: "Bearer", expiresIn}`; 401 with one message for wrong password and unknown email. */
  @Post()
  @HttpCode(200)
  create(@Body(new ZodPipe(logInBody, 'login')) body: z.infer<typeof logInBody>): Promise<Session> {
    return this.logIn.execute(body);
  }
}
