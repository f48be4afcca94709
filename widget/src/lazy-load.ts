/** Loads (once) and registers the elements of lazy.ts, and opens its dialogs. */
let loading: Promise<typeof import('./lazy.js')> | null = null;

export function loadLazy(): Promise<typeof import('./lazy.js')> {
  return (loading ??= import('./lazy.js').catch((err) => {
    loading = null;
    throw err;
  }));
}

type LazyDialogs = {
  'lost-reason-dialog': import('./dialogs/lost-reason-dialog.js').LostReasonDialog;
  'follow-up-dialog': import('./dialogs/follow-up-dialog.js').FollowUpDialog;
  'contact-dialog': import('./dialogs/contact-dialog.js').ContactDialog;
  'confirm-dialog': import('./dialogs/confirm-dialog.js').ConfirmDialog;
  'owner-picker': import('./components/owner-picker/owner-picker.js').OwnerPicker;
};

/**
 * Opens one of the lazy dialogs inside `parent` (a shadow root or an element in one, so the board's theme and contexts
 * reach it) with `props`, and resolves with its `value` once it closes: the choice, or null when cancelled.
 */
export async function openLazyDialog<K extends keyof LazyDialogs>(
  parent: Node,
  tag: K,
  props: Partial<LazyDialogs[K]>,
): Promise<LazyDialogs[K]['value']> {
  await loadLazy();
  const dialog = document.createElement(tag) as LazyDialogs[K];
  Object.assign(dialog, props, { open: true });
  return new Promise((resolve) => {
    dialog.addEventListener(
      'dialog-close',
      (event) => {
        event.stopPropagation();
        dialog.remove();
        resolve(dialog.value);
      },
      { once: true },
    );
    parent.appendChild(dialog);
  });
}
