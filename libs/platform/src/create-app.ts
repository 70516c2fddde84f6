import { randomUUID } from 'node:crypto';
import type { RequestListener } from 'node:http';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { DynamicModule, Type } from '@nestjs/common';
import { tracingConfig } from '@oneapi/config';
import type { ServiceCli } from './cli';
import { createHttpServer } from './http-server';
import { loadServiceConfig } from './cli';
import { PinoNestLogger } from './logger';
import { createRuntime, type ServiceRuntime } from './runtime';
import { startTracing, stopTracing } from './tracing';

export interface CreateAppOptions {
  /** Request body cap in bytes (Fastify `bodyLimit`). */
  bodyLimit?: number;
  /** Paths whose request bodies may take HTTP_UPLOAD_TIMEOUT instead of HTTP_BODY_TIMEOUT. */
  uploadPaths?: readonly string[];
}

/** Builds the Nest application on Fastify for a runtime, without listening (tests listen on port 0). */
export async function createNestApp(
  runtime: ServiceRuntime,
  rootModule: Type<unknown> | DynamicModule,
  options: CreateAppOptions = {},
): Promise<NestFastifyApplication> {
  const env = runtime.config.env;
  const adapter = new FastifyAdapter({
    // Every client timeout explicit (slow headers or bodies must not hold sockets), SPEC 12.
    serverFactory: (handler: RequestListener) =>
      createHttpServer(handler, {
        headersMs: env.HTTP_HEADERS_TIMEOUT * 1000,
        bodyMs: env.HTTP_BODY_TIMEOUT * 1000,
        uploadMs: env.HTTP_UPLOAD_TIMEOUT * 1000,
        keepAliveMs: env.HTTP_KEEP_ALIVE_TIMEOUT * 1000,
        uploadPaths: options.uploadPaths,
      }),
    bodyLimit: options.bodyLimit ?? 4 * 1024 * 1024,
    // The client address comes from the socket; TRUSTED_PROXIES is applied where it matters.
    trustProxy: false,
    logger: false,
    genReqId: () => randomUUID().replace(/-/g, ''),
    requestIdHeader: false,
    forceCloseConnections: false,
  });
  const app = await NestFactory.create<NestFastifyApplication>(rootModule, adapter, {
    logger: new PinoNestLogger(runtime.logger),
    bufferLogs: false,
    abortOnError: false,
  });
  return app;
}

export interface RunServiceOptions extends ServiceCli {
  /** Picks the port from the validated config. */
  port: (runtime: ServiceRuntime) => number;
  /** Builds the configured application for this runtime (shared with the integration tests). */
  createApp: (runtime: ServiceRuntime) => Promise<NestFastifyApplication>;
  /** Printed after listen. */
  banner?: (runtime: ServiceRuntime, port: number) => string;
}

/** Process entry point shared by relay, admin and worker: flags, config, database, Nest, listen. */
export async function runService(options: RunServiceOptions): Promise<NestFastifyApplication> {
  const config = loadServiceConfig(options);
  const runtime = await createRuntime(options.service, config).catch((error: Error) => {
    process.stderr.write(`${options.service}: cannot start: ${error.message}\n`);
    process.exit(1);
  });
  // Before the application is built, so every part of it finds the tracer.
  startTracing(`oneapi-${options.service}`, tracingConfig(config.env), runtime.logger);
  const app = await options.createApp(runtime);
  const port = options.port(runtime);
  await app.listen(port, config.env.HOST);
  const close = async (signal: string) => {
    runtime.logger.info({ signal }, 'shutting down: draining in-flight requests');
    const timer = setTimeout(() => process.exit(0), config.env.SHUTDOWN_TIMEOUT * 1000);
    timer.unref();
    await app.close().catch(() => undefined);
    await runtime.close().catch(() => undefined);
    await stopTracing();
    process.exit(0);
  };
  process.once('SIGTERM', () => void close('SIGTERM'));
  process.once('SIGINT', () => void close('SIGINT'));
  runtime.logger.info({ port, mode: config.mode, node_type: config.env.NODE_TYPE }, `${options.service} listening`);
  if (options.banner) process.stdout.write(`${options.banner(runtime, port)}\n`);
  return app;
}
