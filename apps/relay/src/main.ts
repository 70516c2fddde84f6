import { runService } from '@oneapi/platform';
import { createRelayApp } from './relay.app';

void runService({
  service: 'relay',
  portVariable: 'PORT',
  description: 'the OpenAI-compatible /v1 relay',
  port: (rt) => rt.config.env.PORT,
  createApp: createRelayApp,
  banner: (rt, port) => `relay: OpenAI base URL ${rt.config.relayUrl.replace(/:\d+$/, `:${port}`)}/v1`,
});
