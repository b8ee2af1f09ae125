// Contract test: HubSpot's official Node SDK (@hubspot/api-client 13.5.0) against the simulator.
// Run by contract_test.go with SIM_URL set; by hand: SIM_URL=http://127.0.0.1:PORT node --test contract.test.mjs
import { test } from 'node:test';
import assert from 'node:assert/strict';
import hubspot from '@hubspot/api-client';

const SIM_URL = process.env.SIM_URL;

async function control(path, body) {
  const res = await fetch(SIM_URL + path, {
    method: body === undefined ? 'GET' : 'POST',
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  assert.ok(res.ok, `${path}: HTTP ${res.status} ${await res.clone().text()}`);
  return res.status === 204 ? null : res.json();
}

async function rejection(promise) {
  try {
    await promise;
  } catch (e) {
    return e;
  }
  assert.fail('expected the call to fail');
}

test('the HubSpot Node SDK speaks to the simulator', async (t) => {
  assert.ok(SIM_URL, 'SIM_URL must be set');
  const portal = await control('/_sim/portals', { name: 'Contract portal' });
  const client = new hubspot.Client({ accessToken: portal.accessToken, basePath: SIM_URL, numberOfApiCallRetries: 0 });
  const owner = await control(`/_sim/portals/${portal.portalId}/owners`, {
    email: 'olga@contract.test', firstName: 'Olga', lastName: 'Owner',
  });
  let contact;
  let note;

  await t.test('create a contact', async () => {
    contact = await client.crm.contacts.basicApi.create({
      properties: {
        email: 'ada@example.com', firstname: 'Ada', lastname: 'Lovelace',
        phone: '+447911123456', hubspot_owner_id: owner.id,
      },
      associations: [],
    });
    assert.match(contact.id, /^\d+$/);
    assert.equal(contact.properties.email, 'ada@example.com');
    assert.equal(contact.properties.hs_object_id, contact.id);
    assert.ok(contact.createdAt instanceof Date && !Number.isNaN(contact.createdAt.getTime()));
    assert.equal(contact.archived, false);
  });

  await t.test('search it by email', async () => {
    const page = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'email', operator: 'EQ', value: 'ADA@example.com' }] }],
      sorts: ['createdate'],
      properties: ['email', 'firstname'],
      limit: 10,
      after: '0',
    });
    assert.equal(page.total, 1);
    assert.equal(page.results[0].id, contact.id);
    assert.equal(page.results[0].properties.firstname, 'Ada');
  });

  await t.test('search it by national phone number', async () => {
    const page = await client.crm.contacts.searchApi.doSearch({
      filterGroups: [
        { filters: [{ propertyName: 'phone', operator: 'EQ', value: '+447911123456' }] },
        { filters: [{ propertyName: 'hs_searchable_calculated_phone_number', operator: 'EQ', value: '7911123456' }] },
      ],
      sorts: [JSON.stringify({ propertyName: 'createdate', direction: 'ASCENDING' })],
      properties: ['phone', 'hs_searchable_calculated_phone_number'],
      limit: 5,
    });
    assert.deepEqual(page.results.map((r) => r.id), [contact.id]);
    assert.equal(page.results[0].properties.hs_searchable_calculated_phone_number, '7911123456');
  });

  await t.test('create a note on the contact and read it back', async () => {
    note = await client.crm.objects.notes.basicApi.create({
      properties: {
        hs_timestamp: '2024-05-01T10:00:00.000Z',
        hs_note_body: '<p>Chat transcript<br>Hello</p>',
        hubspot_owner_id: owner.id,
      },
      associations: [{ to: { id: contact.id }, types: [{ associationCategory: 'HUBSPOT_DEFINED', associationTypeId: 202 }] }],
    });
    assert.match(note.id, /^\d+$/);

    const got = await client.crm.objects.notes.basicApi.getById(note.id, ['hs_note_body', 'hs_timestamp'], undefined, ['contacts']);
    assert.equal(got.properties.hs_note_body, '<p>Chat transcript<br>Hello</p>');
    assert.equal(got.properties.hs_timestamp, '2024-05-01T10:00:00.000Z');
    assert.deepEqual(got.associations.contacts.results.map((a) => a.id), [contact.id]);

    const found = await client.crm.objects.notes.searchApi.doSearch({
      filterGroups: [{ filters: [{ propertyName: 'associations.contact', operator: 'EQ', value: contact.id }] }],
      properties: ['hs_note_body'],
    });
    assert.deepEqual(found.results.map((r) => r.id), [note.id]);

    const stored = await control(`/_sim/portals/${portal.portalId}/contacts/${contact.id}/notes`);
    assert.equal(stored.length, 1);
    assert.equal(stored[0].ownerId, owner.id);
  });

  await t.test('get an owner', async () => {
    const got = await client.crm.owners.ownersApi.getById(Number(owner.id));
    assert.equal(got.id, owner.id);
    assert.equal(got.email, 'olga@contract.test');
    assert.equal(got.firstName, 'Olga');
    assert.equal(typeof got.userId, 'number');
  });

  await t.test('409 on a duplicate email', async () => {
    const e = await rejection(client.crm.contacts.basicApi.create({ properties: { email: 'Ada@Example.com' }, associations: [] }));
    assert.equal(e.code, 409);
    assert.equal(e.body.message, `Contact already exists. Existing ID: ${contact.id}`);
    assert.equal(e.body.category, 'CONFLICT');
    assert.match(e.body.correlationId, /^[0-9a-f-]{36}$/);
  });

  await t.test('429 injected through the control API', async () => {
    await control('/_sim/faults', { failNext: 1, status: 429 });
    const e = await rejection(client.crm.contacts.basicApi.getById(contact.id));
    assert.equal(e.code, 429);
    assert.equal(e.body.message, 'You have reached your ten_secondly_rolling limit.');
    assert.equal(e.headers['x-hubspot-ratelimit-max'], '110');
    const ok = await client.crm.contacts.basicApi.getById(contact.id, ['email']);
    assert.equal(ok.properties.email, 'ada@example.com');
  });

  await t.test('429 past five searches a second', async () => {
    const search = () => client.crm.contacts.searchApi.doSearch({ filterGroups: [], limit: 1 });
    const results = await Promise.allSettled([search(), search(), search(), search(), search(), search()]);
    const limited = results.filter((r) => r.status === 'rejected');
    assert.ok(limited.length >= 1, 'no search was rate limited');
    for (const r of limited) {
      assert.equal(r.reason.code, 429);
      assert.equal(r.reason.body.message, 'You have reached your secondly limit.');
    }
  });

  await t.test('update and archive a note', async () => {
    const updated = await client.crm.objects.notes.basicApi.update(note.id, { properties: { hs_note_body: '<p>Updated</p>' } });
    assert.equal(updated.id, note.id);
    const stored = await control(`/_sim/portals/${portal.portalId}/contacts/${contact.id}/notes`);
    assert.equal(stored[0].body, '<p>Updated</p>');
    await client.crm.objects.notes.basicApi.archive(note.id);
    assert.deepEqual(await control(`/_sim/portals/${portal.portalId}/contacts/${contact.id}/notes`), []);
  });

  await t.test('read the lifecycle stages', async () => {
    const prop = await client.crm.properties.coreApi.getByName('contacts', 'lifecyclestage');
    assert.equal(prop.name, 'lifecyclestage');
    assert.equal(prop.type, 'enumeration');
    const lead = prop.options.find((o) => o.value === 'lead');
    assert.deepEqual({ label: lead.label, displayOrder: lead.displayOrder, hidden: lead.hidden }, { label: 'Lead', displayOrder: 1, hidden: false });
    assert.ok(prop.options.some((o) => o.value === 'partner'), 'custom stage missing');
  });

  await t.test('batch create: 207 per input with trace IDs', async () => {
    const e = await client.crm.contacts.batchApi.create({
      inputs: [
        { properties: { email: 'grace@example.com' }, associations: [], objectWriteTraceId: 'a' },
        { properties: { email: 'ada@example.com' }, associations: [], objectWriteTraceId: 'b' },
      ],
    });
    assert.equal(e.results.length, 1);
    assert.equal(e.numErrors, 1);
    assert.deepEqual(e.errors[0].context.objectWriteTraceId, ['b']);
    assert.deepEqual(e.errors[0].errors, []);
  });

  await t.test('merge two contacts under a new ID', async () => {
    const other = await client.crm.contacts.basicApi.create({ properties: { email: 'countess@example.com' }, associations: [] });
    // SDK 13.5 has no wrapper for merge or GDPR delete; apiRequest is its documented way to reach them.
    const res = await client.apiRequest({ method: 'POST', path: '/crm/v3/objects/contacts/merge', body: { primaryObjectId: contact.id, objectIdToMerge: other.id } });
    assert.equal(res.status, 200);
    const merged = await res.json();
    assert.notEqual(merged.id, contact.id);
    assert.notEqual(merged.id, other.id);
    const viaOld = await client.crm.contacts.basicApi.getById(other.id, ['email', 'hs_merged_object_ids']);
    assert.equal(viaOld.id, merged.id);
    assert.equal(viaOld.properties.email, 'ada@example.com');
    contact = merged;
  });

  await t.test('GDPR delete', async () => {
    const res = await client.apiRequest({ method: 'POST', path: '/crm/v3/objects/contacts/gdpr-delete', body: { objectId: contact.id } });
    assert.equal(res.status, 204);
    const e = await rejection(client.crm.contacts.basicApi.getById(contact.id, undefined, undefined, undefined, true));
    assert.equal(e.code, 404);
  });
});
