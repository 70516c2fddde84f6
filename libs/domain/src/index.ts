export * from './enums';
export * from './channel-types';
export * from './ratios';
export * from './quota';
export * from './options';
export * from './tokenizer';
export * from './api-views';
