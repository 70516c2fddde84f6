import type { ChannelJobRow } from '@oneapi/data';
import { channelContextOf as contextOfRow, channelModelsOf, modelMappingOf, type ChannelContext } from '@oneapi/providers';
import type { JobContext } from '../job-context';

/**
 * What the adapters need from a channel row, the key decrypted (never logged): the one builder
 * in @oneapi/providers, with the job context's key decoder.
 */
export function channelContextOf(ctx: Pick<JobContext, 'decodeKey'>, row: ChannelJobRow): ChannelContext {
  return contextOfRow(row, ctx.decodeKey);
}

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
