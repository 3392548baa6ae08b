// One polite live region for the page: screen readers hear each upload's outcome once.

export type Announce = (message: string) => void;

export function Announcer({ message }: { message: string }) {
  return (
    <div className="visually-hidden" role="status" aria-live="polite" aria-atomic="true" data-testid="announcer">
      {message}
    </div>
  );
}
