/**
 * The bulk-action elements: importing this module registers leads-selection-bar, campaign-composer and campaigns-panel
 * (guarded, like define.ts). lazy.ts imports it (the script-tag build loads them on first use: the bar with the first
 * selected card), define.ts too (npm: everything up front).
 */
import { CampaignComposer } from '../campaign-composer/campaign-composer.js';
import { LeadsSelectionBar } from '../selection-bar/selection-bar.js';
import { CampaignsPanel } from './campaigns-panel.js';

export { CampaignComposer, CampaignsPanel, LeadsSelectionBar };

for (const [tag, ctor] of [
  ['leads-selection-bar', LeadsSelectionBar],
  ['campaign-composer', CampaignComposer],
  ['campaigns-panel', CampaignsPanel],
] as const) {
  if (!customElements.get(tag)) customElements.define(tag, ctor);
}
