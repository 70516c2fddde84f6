'use client';
import { useMutation, useQuery } from '@tanstack/react-query';
import { Alert, Button, Card, Descriptions, Form, Input, Select, Space, Typography } from 'antd';
import { useTranslations } from 'next-intl';
import OpenAI from 'openai';
import { useRef, useState } from 'react';
import { LogType, TokenStatus } from '@oneapi/domain';
import { api, apiPage } from '@/lib/api-client';
import { errorMessage, useMoney, useRelayUrl } from '@/lib/hooks';
import { splitList } from '@/lib/format';
import type { LogEntry, Token } from '@/lib/types';
import type { PricedModel } from '@/lib/priced-model';

interface Outcome {
  answer: string;
  requestId: string | null;
  promptTokens?: number;
  completionTokens?: number;
  /** Milliseconds from sending to the first content chunk, and to the end of the stream. */
  firstTokenMs?: number;
  totalMs?: number;
  /** usage × the model's price in the user's group, while the log row is not there yet. */
  estimatedQuota?: number;
}

const isMasked = (key: string) => key.includes('*');

/** How long to look for the log row of a finished request (the relay writes it after the stream). */
const LOG_POLL_MS = 1000;
const LOG_POLL_TRIES = 15;

export default function PlaygroundPage() {
  const t = useTranslations('playground');
  const money = useMoney();
  const relay = useRelayUrl();
  const [tokenId, setTokenId] = useState<number>();
  const [model, setModel] = useState<string>();
  const [prompt, setPrompt] = useState('');
  const [outcome, setOutcome] = useState<Outcome | null>(null);
  const abort = useRef<AbortController | null>(null);

  const tokens = useQuery({
    queryKey: ['tokens', 'playground'],
    queryFn: async ({ signal }) => (await apiPage<Token>('/api/token/', { p: 0, page_size: 100 }, signal)).items.filter((tk) => tk.status === TokenStatus.Enabled),
  });
  const models = useQuery({ queryKey: ['user-models'], queryFn: ({ signal }) => api.get<PricedModel[]>('/api/user/models', undefined, signal) });
  const token = tokens.data?.find((tk) => tk.id === tokenId);
  // A token with an allow-list may use those of its group's models; otherwise every group model.
  const allowed = splitList(token?.models ?? '');
  const usable = (models.data ?? []).filter((m) => !allowed.length || allowed.includes(m.model));
  const priced = models.data?.find((m) => m.model === model);

  // The log row of the last request, matched by the relay's request id; polled until it appears.
  const logRow = useQuery({
    queryKey: ['playground-log', outcome?.requestId, token?.name, model],
    enabled: Boolean(outcome?.requestId && outcome.totalMs !== undefined && token),
    queryFn: async ({ signal }) => {
      const page = await apiPage<LogEntry>('/api/log/self', { p: 0, page_size: 20, type: LogType.Consume, token_name: token?.name, model_name: model }, signal);
      const row = page.items.find((r) => r.request_id === outcome?.requestId);
      if (!row) throw new Error('not logged yet');
      return row;
    },
    retry: LOG_POLL_TRIES,
    retryDelay: LOG_POLL_MS,
  });

  const send = useMutation({
    mutationFn: async () => {
      if (!token || !model) throw new Error(t('pickFirst'));
      // The list masks keys; the single-token route answers the full key to its owner. The key
      // only ever travels in the Authorization header, never in a URL.
      let key = token.key;
      if (isMasked(key)) key = (await api.get<Token>(`/api/token/${token.id}`)).key;
      if (isMasked(key)) throw new Error(t('keyHidden'));
      const client = new OpenAI({ apiKey: `sk-${key}`, baseURL: `${relay}/v1`, dangerouslyAllowBrowser: true, maxRetries: 0 });
      abort.current = new AbortController();
      const started = performance.now();
      const next: Outcome = { answer: '', requestId: null };
      setOutcome({ ...next });
      const { data: stream, response } = await client.chat.completions
        .create({ model, messages: [{ role: 'user', content: prompt }], stream: true, stream_options: { include_usage: true } }, { signal: abort.current.signal })
        .withResponse();
      next.requestId = response.headers.get('x-oneapi-request-id') ?? response.headers.get('x-request-id');
      for await (const chunk of stream) {
        const delta = chunk.choices[0]?.delta?.content ?? '';
        if (delta) {
          next.firstTokenMs ??= performance.now() - started;
          next.answer += delta;
        }
        if (chunk.usage) {
          next.promptTokens = chunk.usage.prompt_tokens;
          next.completionTokens = chunk.usage.completion_tokens;
        }
        setOutcome({ ...next });
      }
      next.totalMs = performance.now() - started;
      if (priced && next.promptTokens !== undefined && next.completionTokens !== undefined) {
        next.estimatedQuota = (next.promptTokens * priced.input_quota_per_1m + next.completionTokens * priced.output_quota_per_1m) / 1e6;
      }
      setOutcome({ ...next });
    },
  });

  const ms = (v?: number) => (v === undefined ? '—' : t('ms', { ms: Math.round(v) }));
  const cost = logRow.data ? money.quota(logRow.data.quota) : outcome?.estimatedQuota !== undefined ? t('estimated', { cost: money.quota(outcome.estimatedQuota) }) : '—';

  return (
    <Card title={t('title')}>
      <Typography.Paragraph type="secondary">{t('intro', { url: `${relay}/v1/chat/completions` })}</Typography.Paragraph>
      <Form layout="vertical" onFinish={() => send.mutate()} style={{ maxWidth: 720 }}>
        <Space wrap align="start">
          <Form.Item label={t('token')} htmlFor="playground-token" required>
            <Select id="playground-token" data-testid="playground-token" style={{ width: 240 }} loading={tokens.isLoading} value={tokenId} onChange={(v: number) => { setTokenId(v); setModel(undefined); }} options={(tokens.data ?? []).map((tk) => ({ value: tk.id, label: tk.name || `#${tk.id}` }))} />
          </Form.Item>
          <Form.Item label={t('model')} htmlFor="playground-model" required>
            <Select id="playground-model" data-testid="playground-model" style={{ width: 280 }} showSearch disabled={!token} value={model} onChange={(v: string) => setModel(v)} options={usable.map((m) => ({ value: m.model, label: m.model }))} />
          </Form.Item>
        </Space>
        <Form.Item label={t('prompt')} htmlFor="playground-prompt" required>
          <Input.TextArea id="playground-prompt" rows={4} value={prompt} onChange={(e) => setPrompt(e.target.value)} />
        </Form.Item>
        <Space>
          <Button type="primary" htmlType="submit" loading={send.isPending} disabled={!token || !model || !prompt.trim()}>{t('send')}</Button>
          {send.isPending && <Button onClick={() => abort.current?.abort()}>{t('stop')}</Button>}
        </Space>
      </Form>
      {send.error && <Alert type="error" showIcon title={errorMessage(send.error)} style={{ marginTop: 16 }} />}
      {outcome && (
        <>
          <Typography.Title level={2} style={{ fontSize: 16, marginTop: 24 }}>{t('answer')}</Typography.Title>
          <div data-testid="playground-answer" aria-live="polite" style={{ whiteSpace: 'pre-wrap', border: '1px solid #d9d9d9', borderRadius: 6, padding: 12, minHeight: 48 }}>{outcome.answer}</div>
          <Descriptions size="small" column={{ xs: 1, sm: 2, md: 4 }} style={{ marginTop: 16 }}>
            <Descriptions.Item label={t('firstToken')}><span data-testid="playground-ttft">{ms(outcome.firstTokenMs)}</span></Descriptions.Item>
            <Descriptions.Item label={t('latency')}><span data-testid="playground-latency">{ms(outcome.totalMs)}</span></Descriptions.Item>
            <Descriptions.Item label={t('tokens')}>{outcome.promptTokens !== undefined ? `${outcome.promptTokens} + ${outcome.completionTokens ?? 0}` : '—'}</Descriptions.Item>
            <Descriptions.Item label={t('cost')}><span data-testid="playground-cost" data-logged={logRow.data ? 'true' : 'false'}>{cost}</span></Descriptions.Item>
          </Descriptions>
        </>
      )}
    </Card>
  );
}
