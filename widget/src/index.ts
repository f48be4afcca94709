/**
 * The npm library entry (`live-leads/widget`): classes, services and types, without registering anything.
 * Register the elements with `import 'live-leads/widget/define'`, or call `customElements.define` yourself.
 */
export { LeadsBoard } from './components/leads-board/leads-board.js';
export { LeadCard } from './components/lead-card/lead-card.js';
export { CallErrorGuide, CALL_GUIDES } from './components/call-error-guide/call-error-guide.js';
export { LeadsToaster } from './components/leads-toaster/leads-toaster.js';
export { LeadDetail } from './components/lead-detail/lead-detail.js';
export { SmsComposer } from './components/sms-composer/sms-composer.js';
export { ModalController } from './dialogs/modal.js';

export { LeadsApiClient, ApiError, newIdempotencyKey, CALL_SETUP_ERROR_CODES } from './api/client.js';
export type { LeadsApiClientOptions, LeadQuery, StatusChange, TokenProvider, CallSetupErrorCode } from './api/client.js';
export { LiveService, LiveEmitter } from './api/live.js';
export { MiniSocket } from './api/socket.js';
export type { LiveUpdates, LiveEventMap, LiveStatus, LiveServiceOptions } from './api/live.js';
export { apiContext, configContext, liveContext, defaultConfig } from './contexts.js';
export type { WidgetConfig, SettingsLinks } from './contexts.js';
export { emit, toast } from './events.js';
export type { LeadsEventMap, LeadsEventName, LeadsEvent, ToastOptions, ToastAction, ApiErrorInfo, StatusChangeDetail } from './events.js';
export { CallController } from './calls/call-controller.js';
export type { CallPhase } from './calls/call-controller.js';
export { changeLeadStatus, type StatusChangeResult } from './leads/status-actions.js';
export * from './format.js';
export { tokens, buttons, badges } from './styles/tokens.js';

export type {
  Lead,
  LeadDetail as LeadDetailData,
  LeadPage,
  LeadStatus,
  Tier,
  Call,
  CallStatus,
  SmsLog,
  SmsSendReply,
  Note,
  Appointment,
  LeadEvent,
  ScoreBreakdown,
  ScoreRule,
  SessionInfo,
  EmbedUser,
} from '../../core/contracts.js';
