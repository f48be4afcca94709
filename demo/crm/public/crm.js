/** Shared by every CRM page: the user switcher and the small-screen navigation. */
const switcher = document.getElementById('user-switch');
switcher?.addEventListener('change', async () => {
  switcher.disabled = true;
  try {
    const res = await fetch('/crm-api/user', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ role: switcher.value }),
      credentials: 'same-origin',
    });
    if (!res.ok) throw new Error(`switch failed (${res.status})`);
    location.reload();
  } catch (err) {
    switcher.disabled = false;
    alert(`Could not switch user: ${err.message}`);
  }
});

const toggle = document.querySelector('.nav-toggle');
const sidebar = document.getElementById('sidebar');
toggle?.addEventListener('click', () => {
  const open = document.body.classList.toggle('nav-open');
  toggle.setAttribute('aria-expanded', String(open));
  if (open) sidebar?.querySelector('a')?.focus();
});
document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape' && document.body.classList.contains('nav-open')) {
    document.body.classList.remove('nav-open');
    toggle?.setAttribute('aria-expanded', 'false');
    toggle?.focus();
  }
});
document.addEventListener('click', (e) => {
  if (document.body.classList.contains('nav-open') && !sidebar?.contains(e.target) && !toggle?.contains(e.target)) {
    document.body.classList.remove('nav-open');
    toggle?.setAttribute('aria-expanded', 'false');
  }
});
