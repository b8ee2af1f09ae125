// The example host page's script (see example.html): each widget is a module with mount(element, props).
// Development only: a real host page already has the staff member's session token.
async function devToken(role) {
  const staff = await (await fetch('/auth/dev/staff')).json();
  const who = staff.find((s) => s.role === role);
  const res = await fetch('/auth/dev/signin', { method: 'POST', body: JSON.stringify({ staffId: who.id }) });
  return (await res.json()).token;
}
async function firstCustomerId(token) {
  const res = await fetch('/query', {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify({ query: '{ customers(first: 1) { id } }' }),
  });
  return (await res.json()).data.customers[0].id;
}

const token = await devToken('admin');
const widgets = new URLSearchParams(location.search).get('widgets')?.split(',') ?? ['admin-card', 'user-details', 'outbound-search'];
for (const name of widgets) {
  const { mount } = await import(`/widgets/${name}.js`);
  const element = document.getElementById(name);
  if (name === 'admin-card') mount(element, { token });
  if (name === 'user-details') mount(element, { token, customerId: await firstCustomerId(token) });
  if (name === 'outbound-search') {
    const picked = document.getElementById('picked');
    const props = {
      token,
      selected: null,
      onSelect: (contact) => { picked.value = contact.email ?? contact.id; widget.update({ ...props, selected: contact }); },
      onClear: () => { picked.value = 'nothing yet'; widget.update({ ...props, selected: null }); },
    };
    const widget = mount(element, props);
  }
}
document.getElementById('status').textContent = `Mounted: ${widgets.join(', ')}`;
