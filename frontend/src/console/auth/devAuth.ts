// The gateway's development sign-in (GET /auth/dev/staff, POST /auth/dev/signin); both answer 404 in
// production mode.

export interface DemoStaff {
  id: string;
  name: string;
  email: string;
  role: 'admin' | 'agent';
  workspaceId: string;
  workspaceName: string;
}

export class DevAuthError extends Error {
  constructor(
    message: string,
    readonly status: number,
  ) {
    super(message);
    this.name = 'DevAuthError';
  }
}

async function failure(response: Response, what: string): Promise<DevAuthError> {
  if (response.status === 404) return new DevAuthError('Demo sign-in is turned off on this server.', 404);
  let detail = '';
  try {
    const body = (await response.json()) as { message?: string; error?: string };
    detail = body.message ?? body.error ?? '';
  } catch {
    // Not JSON; the status says enough.
  }
  return new DevAuthError(detail || `${what} failed (HTTP ${response.status}).`, response.status);
}

export async function listDemoStaff(signal?: AbortSignal): Promise<DemoStaff[]> {
  const response = await fetch('/auth/dev/staff', { headers: { accept: 'application/json' }, signal });
  if (!response.ok) throw await failure(response, 'Loading the demo staff');
  return (await response.json()) as DemoStaff[];
}

/** Signs in as a demo staff member and returns the session token. */
export async function signInAs(staffId: string): Promise<string> {
  const response = await fetch('/auth/dev/signin', {
    method: 'POST',
    headers: { 'content-type': 'application/json', accept: 'application/json' },
    body: JSON.stringify({ staffId }),
  });
  if (!response.ok) throw await failure(response, 'Signing in');
  const { token } = (await response.json()) as { token?: string };
  if (!token) throw new DevAuthError('The server did not return a session token.', response.status);
  return token;
}
