/**
 * Said while a list's live updates are interrupted: what it shows may be out of date until they are back (it is
 * read again then).
 */
export function LiveUpdatesPaused({ what }: { what: string }) {
  return (
    <p className="muted" role="status">
      Live updates paused: reconnecting… {what} may miss the latest changes until then.
    </p>
  );
}
