import { Button, EmptyState, ErrorState, Link, LoadingSpinner, StatusTag, Tag, Text, Tile } from '@hubspot/ui-extensions';
import { createRenderer } from '@hubspot/ui-extensions/testing';
import { describe, expect, it } from 'vitest';
import { ConversationsCard, conversationsUrl, type CardAnswer, type Fetcher } from './ConversationsCard';
import { CONVERSATIONS_PATH, GATEWAY_URL } from './gateway';

const json = (body: unknown, status = 200) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });

/** A fetcher answering each call with the next of answers, recording the URLs asked for. */
function fetcherOf(...answers: Array<() => Promise<Response>>): Fetcher & { urls: string[] } {
  const urls: string[] = [];
  const f = (url: string) => {
    urls.push(url);
    const next = answers.shift();
    if (!next) throw new Error(`unexpected fetch of ${url}`);
    return next();
  };
  return Object.assign(f, { urls });
}

const listed: CardAnswer = {
  connected: true,
  more: false,
  startChatUrl: 'http://localhost:8080/#/new?hubspotContactId=123',
  conversations: [
    {
      channel: 'email',
      channelLabel: 'Email',
      status: 'open',
      assignedAgent: 'Sam Agent',
      mine: true,
      lastMessageAt: '2026-12-07T11:30:00Z',
      preview: 'Your order shipped today.',
      openUrl: 'http://localhost:8080/#/chat/cnv_open',
    },
    {
      channel: 'web',
      channelLabel: 'Web chat',
      status: 'closed',
      assignedAgent: 'Ada Admin',
      mine: false,
      lastMessageAt: '2026-12-01T09:00:00Z',
      preview: 'Thanks, bye!',
      sync: 'Transcript logged in HubSpot as a note.',
      openUrl: 'http://localhost:8080/#/chat/cnv_closed',
    },
  ],
};

/** The words of every Text under node (a parent's own .text is null when it holds components). */
function words(node: { findAll: (c: typeof Text) => Array<{ text: string | null }> }): string {
  return node.findAll(Text).map((t) => t.text ?? '').join(' | ');
}

function renderCard(fetcher: Fetcher) {
  const r = createRenderer('crm.record.tab');
  r.render(<ConversationsCard contactId={String(r.mocks.context.crm.objectId)} fetcher={fetcher} />);
  return r;
}

describe('ConversationsCard', () => {
  it('asks the gateway about the record’s contact only', async () => {
    const fetcher = fetcherOf(async () => json(listed));
    const r = renderCard(fetcher);
    expect(r.find(LoadingSpinner).props.label).toBe('Loading Convrs conversations…');
    await r.waitFor(() => expect(r.findAll(Tile)).toHaveLength(2));
    expect(fetcher.urls).toEqual([`${GATEWAY_URL}${CONVERSATIONS_PATH}?objectId=123`]);
    expect(conversationsUrl('a b')).toBe(`${GATEWAY_URL}${CONVERSATIONS_PATH}?objectId=a%20b`);
  });

  it('lists the conversations, open first, with their links and the transcript’s outcome', async () => {
    const r = renderCard(fetcherOf(async () => json(listed)));
    await r.waitFor(() => expect(r.findAll(Tile)).toHaveLength(2));
    const [open, closed] = r.findAll(Tile);
    expect(open.find(StatusTag).text).toBe('Open');
    expect(open.find(Tag).text).toBe('Your chat');
    expect(words(open)).toContain('Email');
    expect(words(open)).toContain('Assigned to Sam Agent');
    expect(words(open)).toContain('last message 7 Dec 2026, 11:30 UTC');
    expect(words(open)).toContain('Your order shipped today.');
    expect(open.find(Link).props.href).toEqual({ url: 'http://localhost:8080/#/chat/cnv_open', external: true });
    expect(open.find(Link).text).toBe('Open in Convrs');

    expect(closed.find(StatusTag).text).toBe('Closed');
    expect(closed.maybeFind(Tag)).toBeNull();
    expect(words(closed)).toContain('Transcript logged in HubSpot as a note.');
    expect(closed.find(Link).props.href).toEqual({ url: 'http://localhost:8080/#/chat/cnv_closed', external: true });

    const start = r.find(Button, { variant: 'primary' });
    expect(start.text).toBe('Start chat in Convrs');
    expect(start.props.href).toEqual({ url: listed.startChatUrl, external: true });
  });

  it('says when the HubSpot account is not connected to a Convrs workspace', async () => {
    const r = renderCard(fetcherOf(async () => json({ connected: false, more: false, conversations: [] })));
    await r.waitFor(() => expect(r.find(EmptyState).props.title).toBe('Not connected to Convrs'));
    expect(words(r.find(EmptyState))).toContain('not connected to a Convrs workspace');
    expect(r.maybeFind(Button)).toBeNull();
  });

  it('says when there are no conversations yet, and offers to start one', async () => {
    const r = renderCard(fetcherOf(async () => json({ ...listed, conversations: [] })));
    await r.waitFor(() => expect(r.find(EmptyState).props.title).toBe('No Convrs conversations yet'));
    expect(r.find(Button).text).toBe('Start chat in Convrs');
    expect(r.find(Button).props.href).toEqual({ url: listed.startChatUrl, external: true });
  });

  it('says when Convrs is unreachable and loads again on Try again', async () => {
    const fetcher = fetcherOf(
      () => Promise.reject(new Error('Request timed out.')),
      async () => json({}, 503),
      async () => json(listed),
    );
    const r = renderCard(fetcher);
    await r.waitFor(() => expect(r.find(ErrorState).props.title).toBe('Convrs is unreachable right now.'));
    expect(r.find(ErrorState).find(Text).text).toContain('Request timed out.');

    r.find(Button).trigger('onClick');
    await r.waitFor(() => expect(r.find(ErrorState).find(Text).text).toContain('HTTP 503'));

    r.find(Button).trigger('onClick');
    await r.waitFor(() => expect(r.findAll(Tile)).toHaveLength(2));
    expect(fetcher.urls).toHaveLength(3);
  });

  it('treats a rate-limited or malformed answer as unreachable', async () => {
    const r = renderCard(fetcherOf(async () => json({ error: 'busy' }, 429)));
    await r.waitFor(() => expect(r.find(ErrorState).find(Text).text).toContain('busy'));
    const r2 = renderCard(fetcherOf(async () => json({ hello: 'world' })));
    await r2.waitFor(() => expect(r2.find(ErrorState).find(Text).text).toContain('does not understand'));
  });
});
