/**
 * `live-leads/widget/define` (npm): registers every element up front, sms-composer and lead-detail included (register.ts
 * has the others). The script-tag entry (embed.ts) imports register.ts instead and loads them with the rarely used
 * elements on first use (lazy.ts), to stay within its size budget. call-error-guide and the small dialogs register
 * themselves on first use in both.
 */
import { SmsComposer } from './components/sms-composer/sms-composer.js';
import { LeadDetail } from './components/lead-detail/lead-detail.js';
import { define } from './register.js';
// Registers campaign-composer and campaigns-panel (the script-tag build loads them on first use: campaigns-panel/board-campaigns.ts).
import './components/campaigns-panel/campaigns-lazy.js';

export { define };

define('sms-composer', SmsComposer);
define('lead-detail', LeadDetail);
