/** The settings API's request schemas live in core (core/requests.ts); re-exported for the routes and the service. */
export {
  outboundAgentBody,
  twilioImportBody,
  vapiKeyBody,
  type OutboundAgentBody,
  type TwilioImportBody,
} from '../../../core/requests.js';
