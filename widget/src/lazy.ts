/**
 * The elements the board needs only now and then, loaded on first use with `loadLazy()` (one import() chunk of the
 * script-tag build, live-leads-lazy-<hash>.js next to live-leads.js; README.md "Script tag"): the call-error guide, the
 * SMS composer, the small dialogs and the detail's follow-up list. Importing this module registers them (guarded, like define.ts).
 */
import { CallErrorGuide } from './components/call-error-guide/call-error-guide.js';
import { FollowUpList } from './components/follow-up-list/follow-up-list.js';
import { SmsComposer } from './components/sms-composer/sms-composer.js';
import { ContactDialog } from './dialogs/contact-dialog.js';
import { FollowUpDialog } from './dialogs/follow-up-dialog.js';
import { LostReasonDialog } from './dialogs/lost-reason-dialog.js';
import { ConfirmDialog } from './dialogs/confirm-dialog.js';
import { OwnerPicker } from './components/owner-picker/owner-picker.js';
import { CallQueue } from './components/call-queue/call-queue.js';
import { LeadDetail } from './components/lead-detail/lead-detail.js';
export { assignMany, assignOne } from './components/owner-picker/assign.js';
// The selection bar, campaign-composer and campaigns-panel register themselves (one lazy chunk only: a second import()
// made the bundler split lit out of live-leads.js into a shared file).
export { CampaignComposer, CampaignsPanel, LeadsSelectionBar } from './components/campaigns-panel/campaigns-lazy.js';
export { openCampaigns } from './components/campaigns-panel/open-campaigns.js';

export { CallErrorGuide, ContactDialog, FollowUpDialog, FollowUpList, LostReasonDialog, SmsComposer };
export { CallQueue, ConfirmDialog, LeadDetail, OwnerPicker };

for (const [tag, ctor] of [
  ['call-error-guide', CallErrorGuide],
  ['lost-reason-dialog', LostReasonDialog],
  ['follow-up-dialog', FollowUpDialog],
  ['contact-dialog', ContactDialog],
  ['follow-up-list', FollowUpList],
  ['sms-composer', SmsComposer],
  ['confirm-dialog', ConfirmDialog],
  ['owner-picker', OwnerPicker],
  ['call-queue', CallQueue],
  ['lead-detail', LeadDetail],
] as const) {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}
