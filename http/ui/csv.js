// Audit records as RFC 4180 CSV, with the columns of `tasksctl audit export`.

const columns = ['seq', 'ts', 'action', 'user_id', 'username', 'task_id', 'server_id',
  'command_preview', 'client_ip', 'user_agent', 'metadata', 'prev_hash', 'hash'];

/** Quoted when it holds a comma, quote, CR or LF; quotes doubled. */
function cell(value) {
  let text;
  if (value === null || value === undefined) text = '';
  else if (typeof value === 'object') text = JSON.stringify(value);
  else text = String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** The records, oldest first (chain order), one CRLF-terminated line each. */
export function auditCsv(records) {
  const sorted = [...records].sort((a, b) => a.seq - b.seq);
  const lines = [columns.join(',')];
  for (const record of sorted) lines.push(columns.map((name) => cell(record[name])).join(','));
  return `${lines.join('\r\n')}\r\n`;
}
