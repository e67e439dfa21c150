/**
 * A command's one HttpClient (see createHttpClient), handed to `run` and closed when the command
 * is done (its connections would otherwise keep the process alive).
 */
import type { HttpClient } from '../http/client.js';

export async function withHttpClient<T>(http: HttpClient, run: (http: HttpClient) => Promise<T>): Promise<T> {
  try {
    return await run(http);
  } finally {
    await http.close();
  }
}
