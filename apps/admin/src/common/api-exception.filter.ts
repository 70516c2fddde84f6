import { ArgumentsHost, Catch, HttpException, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { isDatabaseUnavailable } from '@oneapi/data';
import { ApiError, ApiErrorCode, statusOf } from './api-error';

/** The one error shape of /api: `{success:false, message, data, code}` with the real HTTP status (`data` null unless the error carries detail). */
@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(private readonly logger: Logger) {}

  catch(exception: unknown, host: ArgumentsHost) {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    let status = 500;
    let message = 'internal error';
    let code: string = ApiErrorCode.Internal;
    let headers: Record<string, string> = {};
    let data: unknown = null;
    if (exception instanceof ApiError) {
      status = statusOf(exception.code);
      message = exception.message;
      code = exception.code;
      headers = exception.headers;
      data = exception.data;
    } else if (exception instanceof HttpException) {
      status = exception.getStatus();
      const body = exception.getResponse() as string | { message?: string | string[] };
      const raw = typeof body === 'string' ? body : body.message;
      message = Array.isArray(raw) ? raw.join('; ') : (raw ?? exception.message);
      code = status === 404 ? ApiErrorCode.NotFound : status === 413 ? ApiErrorCode.PayloadTooLarge : status < 500 ? ApiErrorCode.BadRequest : ApiErrorCode.Internal;
    } else if (isFastifyClientError(exception)) {
      status = exception.statusCode;
      message = exception.statusCode === 413 ? 'request body too large' : exception.message.replace(/^FST_\w+:\s*/, '');
      code = status === 413 ? ApiErrorCode.PayloadTooLarge : ApiErrorCode.BadRequest;
    } else if (isDatabaseUnavailable(exception)) {
      // 503 tells the client to retry (money routes: with the same Idempotency-Key); failures after a commit never get here.
      status = 503;
      message = 'the database is unavailable, try again shortly';
      code = ApiErrorCode.ServiceUnavailable;
      headers = { 'Retry-After': '1' };
      const e = exception as { code?: unknown; message?: unknown };
      this.logger.warn({ code: e.code, error: e.message }, 'database unavailable in /api');
    } else {
      this.logger.error({ err: exception }, 'unhandled error in /api');
    }
    for (const [k, v] of Object.entries(headers)) reply.header(k, v);
    void reply.status(status).send({ success: false, message, data, code });
  }
}

function isFastifyClientError(e: unknown): e is { statusCode: number; message: string } {
  const x = e as { statusCode?: unknown; message?: unknown };
  return typeof x?.statusCode === 'number' && x.statusCode >= 400 && x.statusCode < 500 && typeof x.message === 'string';
}
