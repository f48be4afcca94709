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

export { CallErrorGuide, ContactDialog, FollowUpDialog, FollowUpList, LostReasonDialog, SmsComposer };

for (const [tag, ctor] of [
  ['call-error-guide', CallErrorGuide],
  ['lost-reason-dialog', LostReasonDialog],
  ['follow-up-dialog', FollowUpDialog],
  ['contact-dialog', ContactDialog],
  ['follow-up-list', FollowUpList],
  ['sms-composer', SmsComposer],
] as const) {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}
