// The app PM2 runs in bench/deploy: plain `http`, 200 on every path (/health
// too), its version in X-Backend-Name like baton-test-backend. PORT and
// VERSION come from the environment. On SIGINT (PM2's stop signal) or SIGTERM
// it stops accepting, lets the requests in flight finish, closes idle
// keep-alive connections and exits, as PM2's graceful-shutdown guide asks.
'use strict';
const http = require('http');

const port = Number(process.env.PORT || 3000);
const version = process.env.VERSION || 'v1';
let stopping = false;

const server = http.createServer((req, res) => {
  res.setHeader('X-Backend-Name', version);
  res.setHeader('Content-Type', 'text/plain');
  if (stopping) res.setHeader('Connection', 'close');
  res.end(req.url === '/health' ? 'ok' : 'hello');
});
server.keepAliveTimeout = 65000;
server.listen(port, '127.0.0.1');

function stop() {
  if (stopping) return;
  stopping = true;
  server.close(() => process.exit(0));
  server.closeIdleConnections();
  setTimeout(() => process.exit(0), 5000).unref();
}
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
