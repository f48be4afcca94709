/**
 * The script-tag entry: `<script type="module" src="live-leads.js">` registers every element. The rarely used ones
 * (call-error-guide, sms-composer, the dialogs) load on first use from the chunks next to this file (README.md "Script tag").
 */
import './register.js';

export * from './exports.js';
