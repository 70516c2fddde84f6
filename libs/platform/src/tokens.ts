/** Nest injection tokens shared by every service. */
export const APP_CONFIG = Symbol('APP_CONFIG');
export const LOGGER = Symbol('LOGGER');
export const REDIS = Symbol('REDIS');
export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const RUNTIME = Symbol('RUNTIME');
export const CACHE_BUS = Symbol('CACHE_BUS');
