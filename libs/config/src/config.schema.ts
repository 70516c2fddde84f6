import { z } from 'zod';
import { parseOtlpHeaders } from './otlp-headers';

/**
 * Every environment variable the services read, validated once at boot.
 * One API's names are kept so its operators can move over unchanged (SPEC section 3).
 * Nothing outside this library reads `process.env`.
 */

const bool = z
  .string()
  .trim()
  .toLowerCase()
  .refine((v) => ['true', 'false', '1', '0', 'yes', 'no', 'on', 'off', ''].includes(v), {
    message: 'expected true or false',
  })
  .transform((v) => ['true', '1', 'yes', 'on'].includes(v));

const int = (min: number, max = Number.MAX_SAFE_INTEGER) =>
  z
    .string()
    .trim()
    .regex(/^-?\d+$/, { message: 'expected an integer' })
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

const port = int(0, 65535);
const url = z.string().trim().url({ message: 'expected a URL such as http://host:port' });
const proxyUrl = z
  .string()
  .trim()
  .refine((v) => {
    try {
      const u = new URL(v);
      return ['http:', 'https:', 'socks5:'].includes(u.protocol) && u.hostname !== '';
    } catch {
      return false;
    }
  }, { message: 'expected a proxy URL such as http://host:port, https://host:port or socks5://host:port' });
const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

export const envSchema = z.object({
  // Ports (PORT is One API's and addresses the relay).
  PORT: port.default(3000),
  ADMIN_PORT: port.default(3002),
  CONSOLE_PORT: port.default(3001),
  WORKER_HEALTH_PORT: port.default(3003),
  HOST: z.string().trim().default('0.0.0.0'),

  // Where the services find each other.
  ADMIN_URL: url.optional(),
  RELAY_URL: url.optional(),
  CONSOLE_URL: url.optional(),
  FRONTEND_BASE_URL: url.optional(),

  // Database.
  SQL_DSN: optionalString,
  LOG_SQL_DSN: optionalString,
  SQLITE_PATH: z.string().trim().min(1).default('./data/one-api.db'),
  SQLITE_BUSY_TIMEOUT: int(0).default(500),
  SQL_MAX_OPEN_CONNS: int(1, 10000).default(20),
  SQL_MAX_IDLE_CONNS: int(0, 10000).default(10),
  SQL_MAX_LIFETIME: int(0).default(60),

  // Redis and multi-node.
  REDIS_CONN_STRING: optionalString,
  SESSION_SECRET: optionalString,
  NODE_TYPE: z.enum(['master', 'slave']).default('master'),
  SYNC_FREQUENCY: int(1).default(60),

  // Background jobs.
  CHANNEL_UPDATE_FREQUENCY: int(0).default(0),
  CHANNEL_TEST_FREQUENCY: int(0).default(0),
  POLLING_INTERVAL: int(0).default(0),
  LOG_RETENTION_DAYS: int(0).default(0),

  // Seconds a stopping service drains in-flight requests before it exits anyway.
  SHUTDOWN_TIMEOUT: int(1, 3600).default(30),

  // Client socket timeouts of every HTTP server, in seconds: a request's headers must arrive
  // within HTTP_HEADERS_TIMEOUT and its body within HTTP_BODY_TIMEOUT after them
  // (HTTP_UPLOAD_TIMEOUT for the relay's audio uploads); an idle keep-alive connection is closed
  // after HTTP_KEEP_ALIVE_TIMEOUT (above a load balancer's idle timeout, often 60 s).
  HTTP_HEADERS_TIMEOUT: int(1, 3600).default(10),
  HTTP_BODY_TIMEOUT: int(1, 3600).default(30),
  HTTP_UPLOAD_TIMEOUT: int(1, 3600).default(120),
  HTTP_KEEP_ALIVE_TIMEOUT: int(1, 3600).default(65),

  // Batching of used-quota counters.
  BATCH_UPDATE_ENABLED: bool.default(false),
  BATCH_UPDATE_INTERVAL: int(1).default(5),
  // Seconds after which a reservation whose request never settled (crash, lost database) is
  // released by the sweeper; the relay keeps extending the reservations of requests still running.
  RESERVATION_TTL: int(1).default(600),

  // Rate limits (requests per IP per 3 minutes, as One API counts them).
  GLOBAL_API_RATE_LIMIT: int(0).default(480),
  GLOBAL_WEB_RATE_LIMIT: int(0).default(240),
  CRITICAL_RATE_LIMIT: int(0).default(20),
  // Wrong passwords per 20 minutes: per username and client, and per username from all clients
  // (the ceiling that bounds an attacker spraying from many addresses). 0 disables either.
  LOGIN_FAILURE_LIMIT: int(0).default(10),
  LOGIN_FAILURE_USER_LIMIT: int(0).default(100),
  TRUSTED_PROXIES: z.string().trim().default(''),

  // Relay.
  RELAY_TIMEOUT: int(0).default(0),
  RELAY_CONNECT_TIMEOUT: int(1).default(10),
  RELAY_FIRST_BYTE_TIMEOUT: int(0).default(300),
  RELAY_IDLE_TIMEOUT: int(0).default(120),
  RELAY_MAX_BODY_MB: int(1, 1024).default(32),
  // Requests one relay process serves at once; more answer 503 server_busy at once (0 = no cap).
  RELAY_MAX_IN_FLIGHT: int(0).default(2000),
  // Longest upstream SSE event held in memory (bytes); a longer one ends the stream with an error event.
  RELAY_MAX_SSE_LINE_BYTES: int(1024, 1024 * 1024 * 1024).default(8 * 1024 * 1024),
  CHANNEL_COOLDOWN_SECONDS: int(0).default(30),
  // Outbound proxy for every upstream call (relay, channel tests, balance queries); a channel's
  // own `config.proxy` wins. http(s):// tunnels with CONNECT, socks5:// uses undici's SOCKS5 agent.
  RELAY_PROXY: proxyUrl.optional(),
  // Proxy and timeout (seconds) for fetching URLs that clients put in requests (image URLs that a
  // provider needs inline, e.g. Gemini and Anthropic).
  USER_CONTENT_REQUEST_PROXY: proxyUrl.optional(),
  USER_CONTENT_REQUEST_TIMEOUT: int(1, 3600).default(30),
  // Streamed chat and completions always report usage to the client (One API's name).
  ENFORCE_INCLUDE_USAGE: bool.default(false),
  // Gemini API version for channels that set none in their config (One API's name).
  GEMINI_VERSION: optionalString,
  // Prompt of the channel test request (One API's name).
  TEST_PROMPT: optionalString,
  CACHE_TTL_SECONDS: int(1).default(60),

  // Accounts and secrets.
  INITIAL_ROOT_PASSWORD: optionalString,
  INITIAL_ROOT_TOKEN: optionalString,
  INITIAL_ROOT_ACCESS_TOKEN: optionalString,
  CHANNEL_KEY_SECRET: optionalString,
  // Session cookies always carry `Secure` (otherwise only when the request arrived over HTTPS).
  COOKIE_SECURE: bool.default(false),
  // A file on storage the admin and the console share (compose: a volume): the admin writes the
  // key the console signs browsers' addresses with, derived from the session secret, and a
  // console without SESSION_SECRET reads it there.
  CONSOLE_FORWARD_KEY_FILE: optionalString,

  // Outside services (configurable so tests point them at local fakes).
  GITHUB_OAUTH_URL: url.default('https://github.com'),
  GITHUB_API_URL: url.default('https://api.github.com'),
  TURNSTILE_VERIFY_URL: url.default('https://challenges.cloudflare.com/turnstile/v0/siteverify'),

  // OpenTelemetry traces, off unless OTEL_EXPORTER_OTLP_ENDPOINT is set (the SDK's standard names).
  OTEL_EXPORTER_OTLP_ENDPOINT: url.refine((v) => /^https?:\/\//i.test(v), { message: 'expected an http(s):// URL such as http://collector:4318' }).optional(),
  OTEL_EXPORTER_OTLP_HEADERS: z
    .string()
    .optional()
    .transform((v, ctx) => {
      try {
        return parseOtlpHeaders(v);
      } catch (error) {
        ctx.addIssue({ code: 'custom', message: (error as Error).message });
        return z.NEVER;
      }
    }),
  OTEL_SERVICE_NAME: optionalString,
  OTEL_TRACES_SAMPLER: z
    .enum(['always_on', 'always_off', 'traceidratio', 'parentbased_always_on', 'parentbased_always_off', 'parentbased_traceidratio'])
    .default('parentbased_always_on'),
  OTEL_TRACES_SAMPLER_ARG: z
    .string()
    .trim()
    .transform(Number)
    .pipe(z.number({ message: 'expected a number from 0 to 1' }).min(0).max(1))
    .optional(),

  // Logging.
  LOG_DIR: optionalString,
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  // Standard output as JSON lines (for collectors) or one readable line per entry (npm start's
  // default). Files under LOG_DIR are JSON either way.
  LOG_FORMAT: z.enum(['json', 'text']).default('json'),
  TZ: optionalString,
  NODE_ENV: z.string().default('production'),
});

export type Env = z.infer<typeof envSchema>;
