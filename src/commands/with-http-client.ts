/**
 * A command's one HttpClient: made from the network settings, handed to `run`, and closed when
 * the command is done (its connections would otherwise keep the process alive).
 */
import type { NetworkConfig } from '../config.js';
import { HttpClient } from '../http/client.js';

export async function withHttpClient<T>(network: NetworkConfig, run: (http: HttpClient) => Promise<T>): Promise<T> {
  const http = new HttpClient(network);
  try {
    return await run(http);
  } finally {
    await http.close();
  }
}
