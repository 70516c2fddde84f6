import { startUpstreamServer, type UpstreamContext } from './fake-server';
import type { UpstreamServer } from './fake-server';

const FIELDS = new Set(['text', 'target_lang', 'source_lang', 'context', 'split_sentences', 'preserve_formatting', 'formality', 'glossary_id', 'tag_handling', 'model_type']);
const LANGS = new Set(['ZH', 'EN', 'EN-US', 'EN-GB', 'JA', 'DE', 'FR', 'ES', 'KO']);

/**
 * A fake DeepL `POST /v2/translate`: `Authorization: DeepL-Auth-Key <key>` (403 "Authorization
 * failure" otherwise, as DeepL answers), `text` (a list) and a known `target_lang` required,
 * unknown fields refused (400). The "translation" is `[LANG] text`, so a test can see the target.
 */
export async function startFakeDeepL(opts: { apiKey: string }): Promise<UpstreamServer> {
  return startUpstreamServer((ctx: UpstreamContext) => {
    const { record, req } = ctx;
    if (req.method !== 'POST' || record.path !== '/v2/translate') return ctx.json(404, { message: 'Not found' });
    if (req.headers.authorization !== `DeepL-Auth-Key ${opts.apiKey}`) return ctx.json(403, { message: 'Authorization failure, check auth_key' });
    const body = (typeof record.body === 'object' && record.body !== null ? record.body : {}) as Record<string, unknown>;
    for (const k of Object.keys(body)) if (!FIELDS.has(k)) return ctx.json(400, { message: `Value for '${k}' not supported.` });
    if (!Array.isArray(body.text) || body.text.length === 0 || !body.text.every((t) => typeof t === 'string')) return ctx.json(400, { message: "Parameter 'text' not specified." });
    const lang = String(body.target_lang ?? '').toUpperCase();
    if (!LANGS.has(lang)) return ctx.json(400, { message: "Value for 'target_lang' not supported." });
    return ctx.json(200, { translations: (body.text as string[]).map((t) => ({ detected_source_language: 'EN', text: `[${lang}] ${t}` })) });
  });
}
