/**
 * The npm library entry (`live-leads/widget`): classes, services and types, without registering anything.
 * Register the elements with `import 'live-leads/widget/define'`, or call `customElements.define` yourself.
 */
export * from './exports.js';
export { CallErrorGuide, CALL_GUIDES } from './components/call-error-guide/call-error-guide.js';
export { LostReasonDialog } from './dialogs/lost-reason-dialog.js';
export { FollowUpDialog } from './dialogs/follow-up-dialog.js';
export { ContactDialog } from './dialogs/contact-dialog.js';
export { FollowUpList } from './components/follow-up-list/follow-up-list.js';
export { SmsComposer } from './components/sms-composer/sms-composer.js';
export { LeadDetail } from './components/lead-detail/lead-detail.js';
export { CampaignComposer } from './components/campaign-composer/campaign-composer.js';
export { LeadsSelectionBar } from './components/selection-bar/selection-bar.js';
export { CampaignsApi, audienceFromFilter } from './api/campaigns.js';
export { CampaignsPanel } from './components/campaigns-panel/campaigns-panel.js';
