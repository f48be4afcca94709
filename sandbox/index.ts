/** The telephony sandbox's public entry: start it, steer it, and the scenarios its calls play. */
export { startTelephonySandbox } from './server.js';
export { twilioSignature } from './delivery.js';
export type { FailNext, InboundResult, SandboxControl, SandboxDelays, SandboxLogger, SandboxOptions, TelephonySandbox, WebhookDelivery } from './types.js';
export { SCENARIOS, SCENARIO_NAMES, pickScenario, type Scenario, type ScenarioName } from './scenarios.js';
