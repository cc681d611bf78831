/** TypeScript step handlers and FFI dispatch for the tasker orchestration service. */

export { OrchestratorClient, waitForTask } from "./client.js";
export { DispatchChannel } from "./dispatch_channel.js";
export type { DispatchRequest, ChannelOptions } from "./dispatch_channel.js";
export { encodeResult } from "./encoder.js";
export * from "./errors.js";
export { EventEmitterLog } from "./events.js";
export { HandlerRegistry } from "./registry.js";
export type { StepContext, StepHandler } from "./registry.js";
export { RetryPolicy } from "./retry.js";
