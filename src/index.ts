/**
 * The `gatehouse` package as a library: the server, its configuration, the gateway, and (also as
 * `gatehouse/authorizer`) the authorizers that protect an API with Gatehouse credentials.
 */
export { createGatehouse, type Gatehouse, type ServerOverrides } from './server.js';
export { loadConfig, configSchema, ConfigError, type Config, type ConfigInput } from './config.js';
export { createGateway, type GatewayOptions } from './gateway.js';
export { loadRouteTable, parseRouteTable, type RouteSpec, type RouteTable, type RouteTableInput } from './gateway-routes.js';
export * from './authorizer/index.js';
