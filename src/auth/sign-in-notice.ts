/**
 * "The user must act": a sign-in page to open (or a code to enter). The proxy prints it on
 * stderr, which hosts hide; the bridge also listens here to tell the user in the host's own UI
 * (an elicitation), and to answer a waiting initialize before the host gives up.
 */
export interface SignInNotice {
  /** The page to open. */
  url: string;
  /** A code to enter there (device authorization grant), if any. */
  userCode?: string | undefined;
}

type Listener = (notice: SignInNotice) => void;
const listeners = new Set<Listener>();

/** Registers a listener; returns its remover. */
export function onSignInNeeded(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function announceSignIn(notice: SignInNotice): void {
  for (const listener of listeners) listener(notice);
}
