// undici's own modules for the two things the proxy uses (an Agent and the request API), typed
// with undici's public types. Importing these instead of the package entry skips loading fetch,
// WebSocket, the cache and the mock agent: about 40 ms less at every start (see client.ts).
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici';
  export default Agent;
}

declare module 'undici/lib/dispatcher/env-http-proxy-agent.js' {
  import { EnvHttpProxyAgent } from 'undici';
  export default EnvHttpProxyAgent;
}

declare module 'undici/lib/dispatcher/dispatcher.js' {
  import { Dispatcher } from 'undici';
  export default Dispatcher;
}

declare module 'undici/lib/api/index.js' {
  /** The request/stream/pipeline/upgrade/connect methods undici's entry mixes into Dispatcher. */
  const api: Record<string, unknown>;
  export default api;
}
