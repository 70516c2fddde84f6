import type { ChannelJobRow } from '@oneapi/data';
import { channelModelsOf, modelMappingOf } from '@oneapi/providers';

/** The model a test asks for: `requested`, else the channel's first model, else the adapter's first default. */
export function pickTestModel(row: ChannelJobRow, requested: string | undefined, defaults: readonly string[]): string {
  const wanted = (requested ?? '').trim();
  if (wanted) return wanted;
  return channelModelsOf(row.models)[0] ?? defaults[0] ?? 'gpt-3.5-turbo';
}

/** The channel's `model_mapping` applied to `model` (One API: a JSON object of strings). */
export function mapModel(row: ChannelJobRow, model: string): string {
  return modelMappingOf(row.modelMapping).get(model) ?? model;
}
