import { ValidationPipe, type ValidationError } from '@nestjs/common';
import { ApiError } from './api-error';

function firstMessage(errors: ValidationError[], parent = ''): string {
  for (const e of errors) {
    const path = parent ? `${parent}.${e.property}` : e.property;
    if (e.constraints) {
      const [msg] = Object.values(e.constraints);
      return msg ?? `${path} is invalid`;
    }
    if (e.children?.length) return firstMessage(e.children, path);
  }
  return 'invalid request';
}

/** Global DTO validation: unknown fields dropped, types converted, the first problem named in the message. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    exceptionFactory: (errors) => ApiError.badRequest(firstMessage(errors)),
  });
}
