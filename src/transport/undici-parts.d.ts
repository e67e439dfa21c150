// undici's own modules for the two things the proxy uses (an Agent and the request API), typed
// with undici's public types. Importing these instead of the package entry skips loading fetch,
// WebSocket, the cache and the mock agent: about 40 ms less at every start (see http.ts).
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici';
  export default Agent;
}

declare module 'undici/lib/api/api-request.js' {
  import type { Dispatcher } from 'undici';
  /** Dispatcher.prototype.request, unbound: call it with the dispatcher as `this`. */
  export default function request(this: Dispatcher, options: Dispatcher.RequestOptions): Promise<Dispatcher.ResponseData>;
}
