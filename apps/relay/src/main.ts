import { runService } from '@oneapi/platform';
import { RelayModule } from './relay.module';

void runService({
  service: 'relay',
  portVariable: 'PORT',
  description: 'the OpenAI-compatible /v1 relay',
  port: (rt) => rt.config.env.PORT,
  bodyLimit: undefined,
  module: (rt) => RelayModule.forRuntime(rt),
  banner: (rt, port) => `relay: OpenAI base URL ${rt.config.relayUrl.replace(/:\d+$/, `:${port}`)}/v1`,
});
