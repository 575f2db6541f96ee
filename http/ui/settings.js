// What the service is configured with that forms need: the task defaults
// and limits (GET /api/settings), fetched once per page load.
import { get } from './api.js';

let pending = null;

export function loadSettings() {
  pending ??= get('/api/settings').catch((error) => {
    pending = null;
    throw error;
  });
  return pending;
}
