// The embedded demo: a real MCP server (SDK, Streamable HTTP) on 127.0.0.1 at a free port that is
// also its own OAuth authorization server (the SDK's mcpAuthRouter: RFC 9728 protected resource
// metadata, RFC 8414 metadata, dynamic registration, PKCE, a consent page).
import { randomUUID } from 'node:crypto';
import express from 'express';
import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import { getOAuthProtectedResourceMetadataUrl, mcpAuthRouter } from '@modelcontextprotocol/sdk/server/auth/router.js';
import { requireBearerAuth } from '@modelcontextprotocol/sdk/server/auth/middleware/bearerAuth.js';
import { z } from 'zod';
import { DemoAuthProvider } from './auth-provider.mjs';

function demoServer() {
  const server = new McpServer({ name: 'mcp-auth-proxy-demo', version: '1.0.0' });
  server.registerTool('add', { description: 'Add two numbers', inputSchema: { a: z.number(), b: z.number() } }, async ({ a, b }) => ({
    content: [{ type: 'text', text: `${a} + ${b} = ${a + b}` }],
  }));
  server.registerTool('whoami', { description: 'Tell which client the access token was issued to' }, async (extra) => ({
    content: [{ type: 'text', text: `signed in as client ${extra.authInfo?.clientId ?? 'unknown'} with scopes "${extra.authInfo?.scopes?.join(' ') ?? ''}"` }],
  }));
  return server;
}

/** Starts the demo server; resolves with its MCP URL and a close function. */
export async function startDemoServer() {
  const app = express();
  const httpServer = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => httpServer.once('listening', resolve));
  const origin = `http://127.0.0.1:${httpServer.address().port}`;
  const mcpUrl = new URL(`${origin}/mcp`);
  const provider = new DemoAuthProvider({ resource: mcpUrl });
  const noRateLimit = { rateLimit: false };

  app.use(
    mcpAuthRouter({
      provider,
      issuerUrl: new URL(origin),
      resourceServerUrl: mcpUrl,
      scopesSupported: ['mcp:tools'],
      authorizationOptions: noRateLimit,
      tokenOptions: noRateLimit,
      clientRegistrationOptions: noRateLimit,
    }),
  );
  app.post('/consent', express.urlencoded({ extended: false }), (req, res) => {
    const target = provider.consent(req.body.id, req.body.decision);
    if (target) res.redirect(target);
    else res.status(400).send('This consent request is unknown or was already answered.');
  });

  const sessions = new Map();
  app.all(
    '/mcp',
    requireBearerAuth({ verifier: provider, resourceMetadataUrl: getOAuthProtectedResourceMetadataUrl(mcpUrl) }),
    express.json({ limit: '20mb' }),
    async (req, res) => {
      const id = req.headers['mcp-session-id'];
      let transport = typeof id === 'string' ? sessions.get(id) : undefined;
      if (!transport) {
        if (typeof id === 'string') return res.status(404).json({ jsonrpc: '2.0', id: null, error: { code: -32001, message: 'Session not found' } });
        transport = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID, onsessioninitialized: (sid) => sessions.set(sid, transport) });
        transport.onclose = () => transport.sessionId && sessions.delete(transport.sessionId);
        await demoServer().connect(transport);
      }
      await transport.handleRequest(req, res, req.body);
    },
  );

  return {
    url: mcpUrl.href,
    close: async () => {
      for (const t of sessions.values()) await t.close();
      httpServer.closeAllConnections();
      await new Promise((resolve) => httpServer.close(resolve));
    },
  };
}
