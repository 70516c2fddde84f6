import { CHANNEL_TYPES } from '@oneapi/domain';
import { OPENAI_PATHS, RELAY_MODES, getAdapter } from '@oneapi/providers';

/** A channel type as the console's type picker shows it, with the /v1 paths the relay serves for it. */
export interface ChannelTypeView {
  id: number;
  name: string;
  description: string;
  implemented: boolean;
  /** The relay paths its adapter declares, in the relay's mode order (`/v1/chat/completions`, `/v1/rerank`...). */
  endpoints: string[];
}

/** The registry with each type's declared capabilities (the adapter's `endpoints`, never a second list). */
export function channelTypesWithEndpoints(): ChannelTypeView[] {
  return CHANNEL_TYPES.map((t) => {
    const declared = getAdapter(t.id).endpoints;
    return {
      id: t.id,
      name: t.name,
      description: t.description,
      implemented: t.implemented,
      endpoints: RELAY_MODES.filter((m) => declared.has(m)).map((m) => OPENAI_PATHS[m]),
    };
  });
}
