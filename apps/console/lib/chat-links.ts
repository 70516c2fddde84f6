/**
 * One API's token links to chat apps (web/default/src/components/TokensTable.js): the key and
 * the server address filled into NextChat (ChatGPT-Next-Web), LobeChat, AMA and OpenCat.
 */
export const CHAT_APPS = ['next', 'lobechat', 'ama', 'opencat'] as const;
export type ChatApp = (typeof CHAT_APPS)[number];

/** NextChat's public deployment, One API's default when no ChatLink is set. */
export const DEFAULT_NEXTCHAT = 'https://app.nextchat.dev';

/**
 * The link for `app`, or null when it needs a ChatLink that is not set (LobeChat).
 * @param key the full key with its `sk-` prefix
 * @param server the relay's public base URL (no trailing slash)
 * @param chatLink the ChatLink option (no trailing slash), '' when unset
 */
export function chatAppLink(app: ChatApp, key: string, server: string, chatLink: string): string | null {
  const encodedServer = encodeURIComponent(server);
  switch (app) {
    case 'next':
      return `${chatLink || DEFAULT_NEXTCHAT}/#/?settings=${encodeURIComponent(JSON.stringify({ key, url: server }))}`;
    case 'lobechat':
      return chatLink ? `${chatLink}/?settings=${encodeURIComponent(JSON.stringify({ keyVaults: { openai: { apiKey: key, baseURL: `${server}/v1` } } }))}` : null;
    case 'ama':
      return `ama://set-api-key?server=${encodedServer}&key=${encodeURIComponent(key)}`;
    case 'opencat':
      return `opencat://team/join?domain=${encodedServer}&token=${encodeURIComponent(key)}`;
    default: {
      const exhaustive: never = app;
      return exhaustive;
    }
  }
}
