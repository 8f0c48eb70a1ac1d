/**
 * The environment every gateway instance of the benchmark gets: production
 * mode, loopback only, a free port, info-level logging (one access-log line
 * per request) and the JWT secret the benchmark signs its token with.
 * Nothing else is inherited from the shell, so a variable set there cannot
 * change the configuration under test.
 */
export interface GatewayEnvOptions {
  jwtSecret: string;
  dataDirectory: string;
  chatServiceUrl: string;
  authServiceUrl: string;
  /** Extra variables for one scenario, such as a longer breaker open period. */
  extra?: Record<string, string>;
}

export function gatewayEnv(options: GatewayEnvOptions): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    NODE_ENV: 'production',
    HOST: '127.0.0.1',
    PORT: '0',
    LOG_LEVEL: 'info',
    JWT_SECRET_KEY: options.jwtSecret,
    DATA_DIR: options.dataDirectory,
    CHAT_SERVICE_URL: options.chatServiceUrl,
    AUTH_SERVICE_URL: options.authServiceUrl,
    ...options.extra,
  };
}
