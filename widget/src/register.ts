/**
 * Registers the elements every board needs up front: the script-tag entry imports this, define.ts (npm) adds
 * sms-composer. Importing a class (index.ts) does not register it; importing this module does. The call-error-guide,
 * the dialogs (and, in the script-tag build, sms-composer) register themselves when first needed (lazy.ts).
 * Guarded: loading the bundle twice (or next to another copy) does not throw.
 * Order matters for @lit/context: providers (leads-board) are defined before their consumers, so a consumer
 * upgraded inside an already-upgraded provider finds it (toolchain.md, "@lit/context ordering").
 */
import { LeadsBoard } from './components/leads-board/leads-board.js';
import { LeadsToaster } from './components/leads-toaster/leads-toaster.js';
import { LeadCard } from './components/lead-card/lead-card.js';

export function define(tag: string, ctor: CustomElementConstructor): void {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}

// Providers first.
define('leads-board', LeadsBoard);
// Consumers.
define('leads-toaster', LeadsToaster);
// call-error-guide and the small dialogs register themselves on first use (lazy.ts).
define('lead-card', LeadCard);
// sms-composer and lead-detail: define.ts (npm) registers them here; the script-tag build on first use (lazy.ts: the
// board loads it when a lead is opened, and the detail upgrades with the properties the board set).
