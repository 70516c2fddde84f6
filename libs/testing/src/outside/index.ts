export * from './http-fake';
export * from './smtp-sink';
export * from './github-fake';
export * from './wechat-fake';
export * from './turnstile-fake';
export * from './tcp-proxy';
export * from './slow-clients';
