import { Inject, Injectable } from '@nestjs/common';
import { CHANNEL_TYPES, ChannelStatus, DEFAULT_MODEL_RATIO, getChannelType, readOptions, type ChannelTypeInfo } from '@oneapi/domain';
import { ChannelRepository, splitCommaList, type ChannelEntity, type ChannelFields, type ChannelPatch } from '@oneapi/data';
import { RUNTIME, type ServiceRuntime } from '@oneapi/platform';
import { proxyUrlProblem } from '@oneapi/providers';
import { afterCommit } from '../common/after-commit';
import { ApiError } from '../common/api-error';
import type { Pagination } from '../common/pagination';
import type { ChannelFieldsDto, CreateChannelDto } from './dtos/create-channel.dto';
import type { UpdateChannelDto } from './dtos/update-channel.dto';
import { maskKey } from './channel.view';

/**
 * The name of the `index`-th (0-based) channel of a batch (one per key line): `{n}` in the name
 * becomes its 1-based number, else ` #n` is appended. Numbers, not key fragments: a name is shown
 * to every admin and must not reveal part of a secret.
 */
export function batchChannelName(name: string, index: number): string {
  const n = String(index + 1);
  return name.includes('{n}') ? name.replaceAll('{n}', n) : `${name} #${n}`.trim();
}

/** At most this many channels from one multi-line key field. */
const MAX_BATCH = 1000;

/** One entry of `GET /api/channel/models` (OpenAI's model object, as One API's ListAllModels answers). */
export interface ModelEntry {
  id: string;
  object: 'model';
  created: number;
  owned_by: string;
}

function jsonObject(text: string, field: string): Record<string, unknown> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw ApiError.badRequest(`${field} must be a JSON object`);
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw ApiError.badRequest(`${field} must be a JSON object`);
  return parsed as Record<string, unknown>;
}

/** Normalises `model_mapping`: '' or a JSON object whose values are non-empty strings. */
function normaliseModelMapping(value: string): string {
  const text = value.trim();
  if (!text) return '';
  const mapping = jsonObject(text, 'model_mapping');
  for (const [from, to] of Object.entries(mapping)) {
    if (typeof to !== 'string' || !to.trim()) throw ApiError.badRequest(`model_mapping: the value for "${from.slice(0, 64)}" must be a non-empty string`);
  }
  return JSON.stringify(mapping);
}

/** Normalises `config`: '' / {} / a JSON string of an object, with string, number or boolean values. */
function normaliseConfig(value: unknown): string {
  if (value === undefined || value === null || value === '') return '';
  let config: Record<string, unknown>;
  if (typeof value === 'string') config = jsonObject(value.trim() || '{}', 'config');
  else if (typeof value === 'object' && !Array.isArray(value)) config = value as Record<string, unknown>;
  else throw ApiError.badRequest('config must be a JSON object');
  for (const [k, v] of Object.entries(config)) {
    if (!['string', 'number', 'boolean'].includes(typeof v)) throw ApiError.badRequest(`config.${k.slice(0, 64)} must be a string, number or boolean`);
  }
  // The channel's own outbound proxy: an http(s):// (CONNECT) or socks5:// URL, or empty for none.
  if (typeof config.proxy === 'string' && config.proxy.trim() === '') delete config.proxy;
  if (config.proxy !== undefined) {
    const problem = proxyUrlProblem(String(config.proxy).trim());
    if (problem) throw ApiError.badRequest(`config.proxy: ${problem}`);
    config.proxy = String(config.proxy).trim();
  }
  return Object.keys(config).length ? JSON.stringify(config) : '';
}

function normaliseBaseUrl(value: string): string {
  const text = value.trim().replace(/\/+$/, '');
  if (!text) return '';
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw ApiError.badRequest('base_url must be an http(s) URL');
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw ApiError.badRequest('base_url must be an http(s) URL');
  return text;
}

function channelType(id: number): ChannelTypeInfo {
  const type = getChannelType(id);
  if (!type) throw ApiError.badRequest(`type: unknown channel type ${id}`);
  return type;
}

/** Checks what the channel's type requires (base URL when it has no default, required config keys). */
function checkTypeRequirements(type: ChannelTypeInfo, baseUrl: string, config: string): void {
  const baseUrlField = type.credentialFields.find((f) => f.name === 'base_url');
  if (!baseUrl && (type.defaultBaseUrl === '' || baseUrlField?.required)) throw ApiError.badRequest(`base_url is required for channel type ${type.name}`);
  const values = config ? (JSON.parse(config) as Record<string, unknown>) : {};
  for (const field of type.configFields) {
    if (field.required && field.defaultValue === undefined && (values[field.name] === undefined || values[field.name] === '')) {
      throw ApiError.badRequest(`config.${field.name} is required for channel type ${type.name}`);
    }
  }
}

/** Admin channel management (One API's controller/channel.go); every write rebuilds abilities and tells the relays. */
@Injectable()
export class ChannelService {
  constructor(
    @Inject(ChannelRepository) private readonly channels: ChannelRepository,
    @Inject(RUNTIME) private readonly runtime: ServiceRuntime,
  ) {}

  list(page: Pagination) {
    return this.channels.list(page);
  }

  search(keyword: string, page: Pagination) {
    return this.channels.search(keyword, page);
  }

  async get(id: number): Promise<ChannelEntity> {
    const channel = await this.channels.findById(id);
    if (!channel) throw ApiError.notFound('channel not found');
    return channel;
  }

  /** Creates one channel per non-empty line of `key`; returns the new ids. */
  async create(dto: CreateChannelDto): Promise<number[]> {
    const type = channelType(dto.type);
    const keys = dto.key.split('\n').map((k) => k.trim()).filter(Boolean);
    if (!keys.length) throw ApiError.badRequest('key is required');
    if (keys.length > MAX_BATCH) throw ApiError.badRequest(`key: at most ${MAX_BATCH} keys (one channel per line) per request`);
    const norm = this.normalised(dto);
    const fields: ChannelFields = {
      type: type.id,
      name: (dto.name ?? '').trim(),
      status: dto.status ?? ChannelStatus.Enabled,
      weight: dto.weight ?? 0,
      priority: dto.priority ?? 0,
      other: dto.other ?? '',
      systemPrompt: dto.system_prompt ?? '',
      maxConcurrency: dto.max_concurrency ?? 0,
      rpm: dto.rpm ?? 0,
      tpm: dto.tpm ?? 0,
      models: norm.models ?? '',
      group: norm.group || 'default',
      modelMapping: norm.modelMapping ?? '',
      baseUrl: normaliseBaseUrl(dto.base_url ?? ''),
      config: normaliseConfig(dto.config),
    };
    checkTypeRequirements(type, fields.baseUrl, fields.config);
    const ids = await this.channels.createMany(keys, fields, Math.floor(Date.now() / 1000), keys.length > 1 ? (i) => batchChannelName(fields.name, i) : undefined);
    await this.publish();
    return ids;
  }

  /** Partial update: only the given fields change; an empty key or the key's own mask keeps the stored one. */
  async update(dto: UpdateChannelDto): Promise<ChannelEntity> {
    const current = await this.get(dto.id);
    const patch: ChannelPatch = { ...this.normalised(dto) };
    if (dto.type !== undefined) patch.type = channelType(dto.type).id;
    if (dto.name !== undefined) patch.name = dto.name.trim();
    if (dto.status !== undefined) patch.status = dto.status;
    if (dto.weight !== undefined && dto.weight !== null) patch.weight = dto.weight;
    if (dto.priority !== undefined && dto.priority !== null) patch.priority = dto.priority;
    if (dto.other !== undefined) patch.other = dto.other ?? '';
    if (dto.system_prompt !== undefined) patch.systemPrompt = dto.system_prompt ?? '';
    // null clears a limit (0 = unlimited), as an empty number field in the console sends it.
    if (dto.max_concurrency !== undefined) patch.maxConcurrency = dto.max_concurrency ?? 0;
    if (dto.rpm !== undefined) patch.rpm = dto.rpm ?? 0;
    if (dto.tpm !== undefined) patch.tpm = dto.tpm ?? 0;
    if (dto.base_url !== undefined) patch.baseUrl = normaliseBaseUrl(dto.base_url ?? '');
    if (dto.config !== undefined) patch.config = normaliseConfig(dto.config);
    if (patch.group === '') patch.group = 'default';
    const key = (dto.key ?? '').trim();
    // One API's frontend and read-modify-write scripts PUT back what GET returned: the mask means
    // "unchanged", like an empty key, and must never replace the stored key.
    if (key && key !== maskKey(current.key)) {
      if (key.includes('\n')) throw ApiError.badRequest('key: one key per channel when updating (batch creation is POST only)');
      patch.key = key;
    }
    checkTypeRequirements(channelType(patch.type ?? current.type), patch.baseUrl ?? current.baseUrl ?? '', patch.config ?? current.config ?? '');
    const updated = await this.channels.update(dto.id, patch);
    if (!updated) throw ApiError.notFound('channel not found');
    await this.publish();
    return updated;
  }

  async delete(id: number): Promise<void> {
    if (!(await this.channels.delete(id))) throw ApiError.notFound('channel not found');
    await this.publish();
  }

  async deleteDisabled(): Promise<number> {
    const count = await this.channels.deleteDisabled();
    if (count) await this.publish();
    return count;
  }

  /**
   * Models an admin can put on a channel: every type's default models from the registry plus
   * every model with a ratio (One API's defaults and the ModelRatio option), as One API lists its
   * adaptors' models.
   */
  configurableModels(): ModelEntry[] {
    const owners = new Map<string, string>();
    for (const type of CHANNEL_TYPES) for (const model of type.defaultModels) if (!owners.has(model)) owners.set(model, type.name);
    const priced = { ...DEFAULT_MODEL_RATIO, ...readOptions(this.runtime.options.raw()).ModelRatio };
    for (const model of Object.keys(priced)) if (!owners.has(model)) owners.set(model, 'custom');
    return [...owners.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([id, owner]) => ({ id, object: 'model', created: 1626777600, owned_by: owner }));
  }

  /** models / group / model_mapping, normalised, for the fields present in the body. */
  private normalised(dto: ChannelFieldsDto): Partial<Pick<ChannelFields, 'models' | 'group' | 'modelMapping'>> {
    const out: Partial<Pick<ChannelFields, 'models' | 'group' | 'modelMapping'>> = {};
    if (dto.models !== undefined) out.models = splitCommaList(dto.models).join(',');
    if (dto.group !== undefined) out.group = splitCommaList(dto.group).join(',');
    if (dto.model_mapping !== undefined) out.modelMapping = normaliseModelMapping(dto.model_mapping ?? '');
    return out;
  }

  /** After the change committed: a failure is logged, never answered (the relay's cache also expires). */
  private publish(): Promise<void> {
    return afterCommit(this.runtime.logger, 'publish channels', () => this.runtime.bus.publish({ topic: 'channels' }));
  }
}
