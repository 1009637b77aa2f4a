// The machine's own limit for an answer (issue 19): a plain node:http server answering every
// request with the exact bytes and headers the API answered (bench/limits-rows.ts), in one
// process. argv: port, the body's file, the headers as JSON. Prints "ready" once listening.
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';

const [port, bodyFile, headersJson] = process.argv.slice(2);
const body = readFileSync(bodyFile);
const headers = JSON.parse(headersJson);
createServer((req, res) => {
  req.resume();
  res.writeHead(200, headers);
  res.end(body);
}).listen(Number(port), '127.0.0.1', () => console.log('ready'));
