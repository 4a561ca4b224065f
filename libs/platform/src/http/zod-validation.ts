import { type PipeTransform } from '@nestjs/common';
import { type z } from 'zod';
import { DomainError } from '../errors/domain-error';

/** Parses input with a zod schema; a failure is a 400 that names each bad field. */
export function parseOrThrow<S extends z.ZodType>(schema: S, value: unknown, what = 'request'): z.infer<S> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const message = result.error.issues
    .map((issue) => {
      const path = issue.path.join('.');
      return path ? `${path}: ${issue.message}` : issue.message;
    })
    .join('; ');
  throw new DomainError('REQUEST.INVALID', 'invalid', `Invalid ${what}: ${message}`);
}

/** `@Body(new ZodPipe(schema))`: validation at the edge, unknown fields rejected by strict schemas. */
export class ZodPipe<S extends z.ZodType> implements PipeTransform<unknown, z.infer<S>> {
  constructor(private readonly schema: S, private readonly what = 'request') {}
  transform(value: unknown): z.infer<S> {
    return parseOrThrow(this.schema, value, this.what);
  }
}
