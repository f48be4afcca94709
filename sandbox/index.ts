export { startTelephonySandbox, twilioSignature } from './sandbox.js';
export type { FailNext, InboundResult, SandboxControl, SandboxDelays, SandboxLogger, SandboxOptions, TelephonySandbox, WebhookDelivery } from './sandbox.js';
export { SCENARIOS, SCENARIO_NAMES, pickScenario, type Scenario, type ScenarioName } from './scenarios.js';
