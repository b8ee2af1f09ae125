import { useEffect, useState } from 'react';
import { Banner, Button } from '../../shared/ui';
import { listDemoStaff, signInAs, type DemoStaff } from './devAuth';

/** The demo console's sign-in: one button per seeded staff member. */
export function SignInPage({ onSignedIn, notice }: { onSignedIn: (token: string) => void; notice?: string | null }) {
  const [staff, setStaff] = useState<DemoStaff[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [signingIn, setSigningIn] = useState<string | null>(null);
  const [signInError, setSignInError] = useState<string | null>(null);

  useEffect(() => {
    const abort = new AbortController();
    listDemoStaff(abort.signal).then(setStaff, (err: unknown) => {
      if (!abort.signal.aborted) setLoadError(err instanceof Error ? err.message : String(err));
    });
    return () => abort.abort();
  }, []);

  async function signIn(member: DemoStaff) {
    setSigningIn(member.id);
    setSignInError(null);
    try {
      onSignedIn(await signInAs(member.id));
    } catch (err) {
      setSignInError(err instanceof Error ? err.message : String(err));
      setSigningIn(null);
    }
  }

  return (
    <main className="signin">
      <div className="signin__box">
        <h1>
          <span className="brand">Convrs</span> demo console
        </h1>
        {notice && <Banner tone="blue" title={notice} />}
        <p>Choose a demo staff member to sign in as.</p>
        {loadError && <Banner tone="red" role="alert" title="The demo staff could not be loaded.">{loadError}</Banner>}
        {!staff && !loadError && <p className="muted">Loading demo staff…</p>}
        {staff && staff.length === 0 && <p>No demo staff are seeded on this server.</p>}
        {staff && staff.length > 0 && (
          <ul className="signin__list">
            {staff.map((member) => (
              <li key={member.id}>
                <Button variant="primary" busy={signingIn === member.id} disabled={signingIn !== null} onClick={() => signIn(member)}>
                  Sign in as {member.name} ({member.role})
                </Button>
                <span className="muted">
                  {member.email} · {member.workspaceName}
                </span>
              </li>
            ))}
          </ul>
        )}
        {signInError && <Banner tone="red" role="alert" title="Sign-in failed.">{signInError}</Banner>}
      </div>
    </main>
  );
}
