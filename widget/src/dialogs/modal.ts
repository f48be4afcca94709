/**
 * ModalController: the modal behaviour shared by `lead-detail` and `sms-composer` (and usable by any element
 * that renders a native `<dialog>` in its shadow root).
 *
 * - `showModal()` when the host's `open` becomes true: the rest of the page is inert, and the dialog sits in the
 *   top layer (above the board and any host CRM chrome, whatever their z-index).
 * - Remembers the element that had focus before opening (through shadow roots) and gives focus back on close.
 * - Traps Tab / Shift+Tab inside the dialog (Chromium would otherwise let focus leave to the browser UI after
 *   the last control), walking into nested shadow roots such as `call-error-guide`.
 * - Esc: the native `cancel` is turned into the host's own close, so the host decides what closing means
 *   (it fires `dialog-close` with reason `escape`).
 */
import type { ReactiveController, ReactiveControllerHost } from 'lit';

export interface ModalHost extends ReactiveControllerHost, HTMLElement {
  open: boolean;
  /** Called for Esc; the host closes itself (and fires its events). */
  requestClose(reason: 'escape' | 'close' | 'done'): void | Promise<void>;
}

/** The focused element, looking through open shadow roots. */
export function deepActiveElement(root: Document | ShadowRoot = document): HTMLElement | null {
  let active = root.activeElement as HTMLElement | null;
  while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement as HTMLElement;
  return active;
}

const FOCUSABLE =
  'a[href], button, input:not([type="hidden"]), select, textarea, summary, [tabindex], audio[controls], video[controls], [contenteditable]:not([contenteditable="false"])';

function isTabbable(el: HTMLElement): boolean {
  if (!el.matches(FOCUSABLE)) return false;
  if ((el as HTMLButtonElement).disabled) return false;
  if (el.tabIndex < 0) return false;
  if (el.closest('[inert]')) return false;
  // Not rendered (display: none, or inside a closed <details>): no client rects.
  return el.getClientRects().length > 0;
}

/** Tabbable elements under `root` in tree order, descending into open shadow roots (not into slots). */
export function tabbables(root: Element | ShadowRoot): HTMLElement[] {
  const out: HTMLElement[] = [];
  const visit = (node: Element | ShadowRoot) => {
    for (const child of Array.from(node.children)) {
      const el = child as HTMLElement;
      if (el.shadowRoot) {
        if (isTabbable(el)) out.push(el);
        visit(el.shadowRoot);
        continue;
      }
      if (isTabbable(el)) out.push(el);
      visit(el);
    }
  };
  visit(root);
  return out;
}

export class ModalController implements ReactiveController {
  /** Where focus goes back on close. */
  opener: HTMLElement | null = null;
  private shown = false;

  constructor(
    private readonly host: ModalHost,
    private readonly dialog: () => HTMLDialogElement | null | undefined,
    /** The element to focus on open (default: the dialog's first tabbable). */
    private readonly initialFocus: () => HTMLElement | null | undefined = () => null,
  ) {
    host.addController(this);
  }

  hostUpdated(): void {
    const dialog = this.dialog();
    if (!dialog) return;
    if (this.host.open && !this.shown) this.show(dialog);
    else if (!this.host.open && this.shown) this.hide(dialog);
  }

  hostDisconnected(): void {
    // Removed while open (the board drops the element on `dialog-close`): focus still goes back.
    if (this.shown) {
      this.shown = false;
      this.restoreFocus();
    }
  }

  private show(dialog: HTMLDialogElement): void {
    this.shown = true;
    const active = deepActiveElement();
    this.opener = active && active !== document.body ? active : null;
    if (!dialog.open) {
      try {
        dialog.showModal();
      } catch {
        dialog.setAttribute('open', '');
      }
    }
    dialog.addEventListener('cancel', this.onCancel);
    dialog.addEventListener('keydown', this.onKeydown);
    const target = this.initialFocus() ?? tabbables(dialog)[0];
    target?.focus();
  }

  private hide(dialog: HTMLDialogElement): void {
    this.shown = false;
    dialog.removeEventListener('cancel', this.onCancel);
    dialog.removeEventListener('keydown', this.onKeydown);
    if (dialog.open) dialog.close();
    this.restoreFocus();
  }

  private restoreFocus(): void {
    const opener = this.opener;
    this.opener = null;
    if (opener?.isConnected) opener.focus();
  }

  private onCancel = (event: Event): void => {
    event.preventDefault();
    this.host.requestClose('escape');
  };

  private onKeydown = (event: KeyboardEvent): void => {
    if (event.key === 'Escape') {
      // Chromium only fires `cancel` for a real Esc; handle it here too so nested widgets can't swallow it.
      if (event.defaultPrevented) return;
      event.preventDefault();
      event.stopPropagation();
      this.host.requestClose('escape');
      return;
    }
    if (event.key !== 'Tab' || event.defaultPrevented) return;
    const dialog = this.dialog();
    if (!dialog) return;
    const items = tabbables(dialog);
    if (!items.length) {
      event.preventDefault();
      return;
    }
    const first = items[0];
    const last = items[items.length - 1];
    const active = deepActiveElement();
    const inside = !!active && items.includes(active);
    if (event.shiftKey && (active === first || !inside)) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && (active === last || !inside)) {
      event.preventDefault();
      first.focus();
    }
  };
}
