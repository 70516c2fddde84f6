import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createNestApp, type ServiceRuntime } from '@oneapi/platform';
import { audioTranscriptions, audioTranslations } from './endpoints/audio-transcription';
import { imagesEdits, imagesVariations } from './endpoints/images-edits';
import { RelayModule } from './relay.module';
import { RelayServices } from './relay.services';
import { registerRelayRoutes } from './relay.routes';

/** The relay application for a runtime, fully configured but not listening (main.ts and tests share it). */
export async function createRelayApp(runtime: ServiceRuntime): Promise<NestFastifyApplication> {
  const bodyLimit = runtime.config.env.RELAY_MAX_BODY_MB * 1024 * 1024;
  // Audio and image uploads get HTTP_UPLOAD_TIMEOUT for their bodies (large files from slow links).
  const app = await createNestApp(runtime, RelayModule.forRuntime(runtime), { bodyLimit, uploadPaths: [audioTranscriptions.path, audioTranslations.path, imagesEdits.path, imagesVariations.path] });
  const services = app.get(RelayServices);
  await app.getHttpAdapter().getInstance().register(registerRelayRoutes(services, bodyLimit));
  return app;
}
