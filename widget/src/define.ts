/**
 * `live-leads/widget/define` (npm): registers every element up front, sms-composer included (register.ts has the
 * others). The script-tag entry (embed.ts) imports register.ts instead and loads sms-composer with the rarely used
 * elements on first use (lazy.ts), to stay within its size budget. call-error-guide and the small dialogs register
 * themselves on first use in both.
 */
import { SmsComposer } from './components/sms-composer/sms-composer.js';
import { define } from './register.js';

export { define };

define('sms-composer', SmsComposer);
