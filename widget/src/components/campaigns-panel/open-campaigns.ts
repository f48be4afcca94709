/**
 * Opens the campaign composer and the campaigns panel inside the board (its shadow root, so the theme and the contexts
 * reach them). In the lazy chunk: the board only calls `openCampaigns` after `loadLazy()`, which keeps the script-tag
 * bundle small. After a campaign starts, the composer closes and the panel opens on it, to follow its progress.
 */
import type { Lead } from '../../../../core/contracts.js';
import type { LeadQuery } from '../../api/client.js';
import type { CampaignComposer } from '../campaign-composer/campaign-composer.js';
import type { CampaignsPanel } from './campaigns-panel.js';

export interface OpenCampaigns {
  /** The composer for `leadIds` (null: every lead matching `filter`); `total` is how many that is. */
  compose?: { leadIds: string[] | null; filter: LeadQuery; total: number; leads: Lead[] };
  /** The panel, with `highlight` first. */
  panel?: { highlight: string | null };
}

/** Appends `el` open to `root` and removes it once it closes. */
function show<T extends HTMLElement & { open: boolean }>(root: Node, el: T): T {
  el.open = true;
  el.addEventListener('dialog-close', () => el.remove(), { once: true });
  root.appendChild(el);
  return el;
}

export function openCampaigns(root: Node, what: OpenCampaigns): void {
  // One of each at a time.
  for (const el of (root as ParentNode).querySelectorAll('campaign-composer, campaigns-panel')) el.remove();
  if (what.compose) {
    const { page: _p, pageSize: _s, ...filter } = what.compose.filter;
    const composer = Object.assign(document.createElement('campaign-composer') as CampaignComposer, { ...what.compose, filter });
    composer.addEventListener('campaign-started', (e) => {
      composer.remove();
      openCampaigns(root, { panel: { highlight: e.detail.campaign.id } });
    });
    show(root, composer);
  } else if (what.panel) {
    show(root, Object.assign(document.createElement('campaigns-panel') as CampaignsPanel, what.panel));
  }
}
