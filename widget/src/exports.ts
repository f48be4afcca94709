/**
 * What both entries export (index.ts for npm, embed.ts for the script tag): classes, services and types. The
 * elements loaded on first use (call-error-guide, sms-composer, the dialogs in dialogs/) are not here, so the script-tag bundle
 * does not carry them up front; index.ts adds their classes for npm.
 */
export { LeadsBoard } from './components/leads-board/leads-board.js';
export { LeadCard } from './components/lead-card/lead-card.js';
export { LeadsToaster } from './components/leads-toaster/leads-toaster.js';
export { ModalController } from './dialogs/modal.js';
export { LeadSelection } from './leads/selection.js';
export type { Campaign, CampaignAudience, CampaignCounts, CampaignInput, CampaignPreview, CampaignStatus, SmsTemplate } from './api/campaigns.js';

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
export { askLostReason, type LostChoice } from './leads/lost-reason.js';
export { scheduleFollowUp } from './leads/follow-up.js';
export { editContact } from './leads/contact-edit.js';
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
